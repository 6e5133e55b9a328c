// What to tell the user when the server closes the connection (server/PROTOCOL.md, "Close codes").
// Permanent refusals (44xx) stop the reconnecting: the user has to act. Transient ones (45xx) are retried.

const messages = {
  4400: 'The server could not understand this editor\'s messages. Reload the page; if it keeps happening, the server may be a different version.',
  4401: 'Your access token was refused: it is missing, invalid or has expired. Ask for a new link to this document.',
  4403: 'Your access token does not allow this document (or does not allow changing it). Ask its owner for access.',
  4404: 'This document id is not valid. Ids use letters, digits and . _ ~ : / - only.',
  4410: 'This document has been deleted.',
  4413: 'This document has grown past the server\'s size limit. Changes made since cannot be saved.',
  4429: 'Too many changes too quickly; the server paused this connection.',
  4500: 'The server could not store changes. Retrying…',
  4503: 'The server is at its connection limit. Retrying…',
  4508: 'The connection was too slow to keep up. Retrying…',
  1001: 'The server is restarting. Reconnecting…'
}

/** Whether the server will refuse the same connection again until the user changes something. */
export function isPermanent (code) {
  return code >= 4400 && code < 4500
}

/** A sentence for the user; `reason` is the server's own close reason, shown when it adds detail. */
export function closeMessage (code, reason = '') {
  const base = messages[code]
  if (code === 4401 && /expired/i.test(reason)) {
    return 'Your access token has expired. Ask for a new link to keep editing; your last changes may not be saved.'
  }
  if (base) return base
  return reason ? `The server closed the connection: ${reason}` : `The server closed the connection (code ${code}).`
}
