// The access token: where it comes from, where it is kept, and what it says the user may do.
//
// A share link may carry `?token=<jwt>`. The app takes it at start-up, keeps it in sessionStorage (this tab
// only, gone when the tab closes) and removes it from the address bar and the history, so the token is not
// bookmarked, not copied into a share link and not sent as a Referer.

const storageKey = 'meridian.token'

/** Moves a `?token=` from the URL into session storage; returns the token in use ('' for none). */
export function adoptTokenFromURL () {
  const url = new URL(window.location.href)
  const fromURL = url.searchParams.get('token')
  if (fromURL !== null) {
    url.searchParams.delete('token')
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash)
    if (fromURL) sessionStorage.setItem(storageKey, fromURL)
    else sessionStorage.removeItem(storageKey)
  }
  return currentToken()
}

/** The token in use, or '' when the user has none (a --dev server lets anonymous users in). */
export function currentToken () {
  return sessionStorage.getItem(storageKey) || ''
}

/**
 * The token's claims, decoded without verification: the server verifies, the app only reads them to shape the
 * interface (read-only view, expiry warning, name). Returns null for no token or one that is not a JWT.
 */
export function readClaims (token) {
  const parts = token ? token.split('.') : []
  if (parts.length !== 3) return null
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/')
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), c => c.charCodeAt(0)))
    const claims = JSON.parse(json)
    return claims && typeof claims === 'object' ? claims : null
  } catch {
    return null
  }
}

/**
 * What the claims allow on docId, combined the way the server combines grants: the most permissive matching
 * grant wins, write implies presence. No claims (no token) means a development server: everything.
 */
export function accessTo (claims, docId) {
  if (!claims) return { read: true, write: true, presence: true }
  const access = { read: false, write: false, presence: false }
  for (const grant of Array.isArray(claims.docs) ? claims.docs : []) {
    if (!grantMatches(String(grant.pattern ?? ''), docId)) continue
    access.read = true
    access.write ||= grant.perm === 'write'
    access.presence ||= grant.perm === 'write' || grant.presence === true
  }
  return access
}

function grantMatches (pattern, docId) {
  if (pattern.endsWith('*')) return docId.startsWith(pattern.slice(0, -1))
  return pattern === docId
}

/** Milliseconds until the token expires (negative once expired), or Infinity when it has no expiry. */
export function msUntilExpiry (claims, now = Date.now()) {
  return claims && typeof claims.exp === 'number' ? claims.exp * 1000 - now : Infinity
}

/** Headers for the HTTP API: the same token as the WebSocket, as a bearer token. */
export function authHeaders (token = currentToken()) {
  return token ? { Authorization: `Bearer ${token}` } : {}
}
