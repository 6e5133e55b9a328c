// Package auth verifies the JSON Web Tokens that grant access to Meridian documents, finds them in HTTP
// requests, mints them for `meridian token`, and keeps them out of logs.
//
// A token's claims name documents by exact id or by prefix pattern (a trailing `*`), each with `read` or
// `write`, and optionally `presence` (a read-only user who may still show a cursor); `admin` opens the admin
// endpoints:
//
//	{"sub":"alice","exp":1760000000,"aud":"meridian",
//	 "docs":[{"pattern":"team/notes/*","perm":"write"},{"pattern":"wiki","perm":"read","presence":true}],
//	 "admin":false}
//
// Usage:
//
//	v, err := auth.NewVerifier(auth.Config{HS256Secret: secret, Audience: "meridian"})
//	tok, _ := auth.TokenFromRequest(r)           // ?token=, Authorization: Bearer, or Sec-WebSocket-Protocol
//	p, err := v.Verify(tok)                      // signature, alg allow-list, iss/aud, exp/nbf
//	if p.Access(docID).Write { ... }
//
// Algorithms are an explicit allow-list derived from the configured keys (HS256 for a secret; RS256, ES256,
// EdDSA for public keys); `none` is never accepted. Wrap every slog handler with NewRedactingHandler so that
// no token reaches a log line even if a URL or header is logged by mistake.
package auth
