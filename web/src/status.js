// The status line's words, derived from the session state alone (a pure function, tested in Node).
//
// "Saved" is a promise that the server has stored every change this tab made: it is shown only once the
// server's durable acknowledgement covers all of them. Until then the line says "Saving…", and while the
// connection is down it counts what is waiting: "Offline: 3 unsaved changes".

/**
 * @typedef {object} SessionState
 * @property {'connecting'|'connected'|'disconnected'|'refused'} connection
 * @property {boolean} online   the browser believes it has a network
 * @property {boolean} synced   the first exchange with the server has completed on this connection
 * @property {boolean} everSynced  a sync completed at least once in this tab (the text was loaded)
 * @property {number} pending   local updates the server has not yet acknowledged as durable
 * @property {boolean} saved    the server acknowledged every local update and this connection's step 2
 * @property {string} region    from the server's hello ('' until known)
 * @property {string} node
 * @property {boolean} readOnly
 */

/** Returns { connection, location, save } each as { text, state } for the status line. */
export function describeStatus (s) {
  return {
    connection: describeConnection(s),
    location: describeLocation(s),
    save: describeSave(s)
  }
}

function describeConnection (s) {
  if (s.connection === 'refused') return { text: 'Refused', state: 'refused' }
  if (!s.online) return { text: 'Offline', state: 'offline' }
  switch (s.connection) {
    case 'connected': return s.synced ? { text: 'Connected', state: 'connected' } : { text: 'Syncing…', state: 'connecting' }
    case 'connecting': return { text: 'Connecting…', state: 'connecting' }
    default: return { text: 'Reconnecting…', state: 'offline' }
  }
}

function describeLocation (s) {
  if (!s.region && !s.node) return { text: '', state: 'unknown' }
  return { text: [s.region && `region ${s.region}`, s.node && `node ${s.node}`].filter(Boolean).join(' · '), state: 'known' }
}

function describeSave (s) {
  if (s.readOnly && s.pending === 0) return { text: 'Read only', state: 'readonly' }
  const unsaved = `${s.pending} unsaved ${s.pending === 1 ? 'change' : 'changes'}`
  if (s.connection === 'refused') {
    return { text: s.pending > 0 ? `Not saved: ${unsaved}` : 'Not connected', state: 'refused' }
  }
  const up = s.connection === 'connected' && s.online
  if (!up) {
    if (s.pending > 0) return { text: `Offline: ${unsaved}`, state: 'offline' }
    // The first connection of the page is still being made: nothing to save, nothing lost.
    if (s.online && s.connection === 'connecting' && !s.everSynced) return { text: 'Loading…', state: 'loading' }
    return { text: s.everSynced ? 'Offline: all changes saved' : 'Offline', state: 'offline' }
  }
  if (s.pending > 0) return { text: 'Saving…', state: 'saving' }
  if (!s.synced) return { text: 'Loading…', state: 'loading' }
  // Synced, but the server has not yet acknowledged the step 2 that carried our edits made while away.
  if (!s.saved) return { text: 'Saving…', state: 'saving' }
  return { text: 'Saved', state: 'saved' }
}
