// One open document: the Meridian provider syncing a Y.Doc with the server, folded into a single plain state
// object (see status.js) that the view renders whenever it changes.
//
// The provider reconnects by itself and keeps unsent updates while the connection is down. This module adds
// what only a page knows: when the browser reports it is offline, the socket is closed at once (a WebSocket can
// otherwise linger half-open for minutes and the status line would claim "connected"), and it reopens when the
// browser is back online.
//
// The document and its unacknowledged edits are also kept in IndexedDB (y-indexeddb), so text typed offline
// survives closing or reloading the page: the reopened editor shows it, counts it as unsaved, and sends it once
// the server is reachable again.

import { MeridianProvider } from '@meridian-sync/client'
import { IndexeddbPersistence } from 'y-indexeddb'
import { closeMessage } from './closecodes.js'

/** The WebSocket base URL of the server that served this page: ws(s)://host/ws. */
export function socketBase (location = window.location) {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`
}

/**
 * The IndexedDB database holding docId for this user. Per user, because pending edits are sent with the token
 * of whoever opens the document next in this browser.
 */
export function persistenceName (docId, subject = '', location = window.location) {
  return `meridian:${location.host}:${subject || 'anonymous'}:${docId}`
}

/**
 * Opens docId. `onChange(state)` runs after every state change (state is described in status.js);
 * `state.refusal` is set ({ code, message }) once the server has refused the connection for good.
 * Returns { provider, awareness, state, destroy }.
 */
export function openSession ({ docId, token, subject, ydoc, readOnly, onChange }) {
  const provider = new MeridianProvider(socketBase(), docId, ydoc, {
    token: token || undefined,
    persistence: IndexeddbPersistence,
    persistenceName: persistenceName(docId, subject)
  })
  const state = {
    connection: 'connecting',
    online: navigator.onLine,
    synced: false,
    everSynced: false,
    pending: provider.pendingUpdates,
    saved: provider.saved,
    region: provider.region,
    node: provider.node,
    readOnly,
    refusal: null
  }
  const update = (changes) => {
    Object.assign(state, changes)
    onChange(state)
  }

  provider.on('status', ({ status }) => {
    if (!state.refusal) update({ connection: status })
  })
  provider.on('synced', (synced) => update({ synced, everSynced: state.everSynced || synced }))
  provider.on('saved', (saved) => update({ saved }))
  provider.on('pending', (pending) => update({ pending }))
  provider.on('hello', ({ region, node }) => update({ region, node }))
  provider.on('loaded', () => update({ pending: provider.pendingUpdates }))
  // A permanent refusal (44xx): the provider stops reconnecting, and the user has to act.
  provider.on('closed', ({ code, reason }) => {
    update({ connection: 'refused', refusal: { code, message: closeMessage(code, reason) } })
  })

  const goOffline = () => {
    provider.disconnect()
    update({ online: false, connection: 'disconnected', synced: false })
  }
  const goOnline = () => {
    update({ online: true })
    if (!state.refusal) provider.connect()
  }
  window.addEventListener('offline', goOffline)
  window.addEventListener('online', goOnline)
  if (!navigator.onLine) goOffline()

  return {
    provider,
    awareness: provider.awareness,
    state,
    destroy () {
      window.removeEventListener('offline', goOffline)
      window.removeEventListener('online', goOnline)
      provider.destroy()
    }
  }
}
