// The URL names what is open, so a link can be shared as is. Routes live in the fragment (`/#/d/notes`), so
// the server only ever serves index.html at `/` and needs no knowledge of the app's paths.
//
//   #/            the document list
//   #/d/<docId>   the editor on one document (ids may contain slashes: `#/d/team/notes`)
//   #/cluster     the cluster page

/** A document id as the server accepts it (server/PROTOCOL.md): 1 to 512 bytes of [A-Za-z0-9._~:/-]. */
export const docIdPattern = /^[A-Za-z0-9._~:/-]{1,512}$/

export function isValidDocId (id) {
  return typeof id === 'string' && docIdPattern.test(id)
}

/** Parses location.hash into { view: 'docs' | 'doc' | 'cluster' | 'missing', docId? }. */
export function parseRoute (hash) {
  const path = hash.replace(/^#/, '') || '/'
  if (path === '/' || path === '') return { view: 'docs' }
  if (path === '/cluster') return { view: 'cluster' }
  if (path.startsWith('/d/')) {
    const docId = path.slice(3)
    return isValidDocId(docId) ? { view: 'doc', docId } : { view: 'missing', docId }
  }
  return { view: 'missing' }
}

/** The fragment that opens docId. Valid ids need no escaping. */
export function docHash (docId) {
  return `#/d/${docId}`
}

/** The full link to share: this server, the document, and never the viewer's token. */
export function shareLink (docId, location = window.location) {
  return `${location.origin}${location.pathname}${docHash(docId)}`
}

/** A fresh document id that reads well in a URL, e.g. "note-2024-05-01-k3f9q". */
export function newDocId (now = new Date()) {
  const day = now.toISOString().slice(0, 10)
  const suffix = Math.random().toString(36).slice(2, 7).padEnd(5, '0')
  return `note-${day}-${suffix}`
}
