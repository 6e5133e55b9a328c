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
// Keys rotate without a restart: Verifier.SetKeys swaps the whole KeySet atomically (HS256 Secrets and public
// keys, each optionally named by a key id). A token naming a `kid` is checked against that key only, so a
// token of a retired kid is refused ("unknown key id") even if another key would verify it; a token without
// a kid is tried against every key of its algorithm. ParseKeySet reads a JWKS that may also carry HS256
// secrets (kty "oct", for local files only); ParseJWKS refuses those (for URLs). MintWith signs with a secret
// or a private key (ParsePrivateKeyPEM) and names its kid; PublicJWK, SecretJWK, EncodePublicKeyPEM and
// Thumbprint write keys out for `meridian keys`.
//
// A Principal remembers the key that verified its token (by kid and key material; for a token without a kid,
// the one key of the set whose signature check passed). Verifier.Trusts(p) tells whether that key is still in
// force after a SetKeys: the server uses it to end the open connections of a retired key, which were
// admitted before the rotation and would otherwise last until their tokens expire.
//
// Algorithms are an explicit allow-list derived from the configured keys (HS256 for a secret; RS256, ES256,
// EdDSA for public keys); `none` is never accepted. Wrap every slog handler with NewRedactingHandler so that
// no token reaches a log line even if a URL or header is logged by mistake.
package auth
