package auth

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Errors a verification fails with; the wrapped text is safe to send to the client as a close reason.
var (
	ErrMissingToken = errors.New("meridian/auth: no token")
	ErrInvalidToken = errors.New("meridian/auth: invalid token")
	ErrNoKey        = errors.New("meridian/auth: no verification key configured")
)

// DefaultLeeway absorbs clock skew between the token issuer and this node for exp and nbf.
const DefaultLeeway = 30 * time.Second

// minSecretLen keeps HS256 secrets out of brute-force range.
const minSecretLen = 32

// Config says which tokens to trust. At least one key source must be set unless AllowAnonymous.
type Config struct {
	HS256Secret []byte      // shared secret for HS256 (at least 32 bytes), without a key id
	Secrets     []Secret    // more HS256 secrets, each selected by its key id
	PublicKeys  []PublicKey // RS256 / ES256 / EdDSA keys (from ParsePublicKeysPEM or ParseJWKS)
	// Algorithms restricts the accepted algs further; empty means every alg the keys support.
	Algorithms []string
	Issuer     string        // required `iss` when set
	Audience   string        // required `aud` when set
	Leeway     time.Duration // 0 means DefaultLeeway
	// AllowAnonymous makes a request without a token an AnonymousDeveloper (meridian serve --dev).
	AllowAnonymous bool
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// keySet is the initial key set the Config describes.
func (c Config) keySet() KeySet {
	ks := KeySet{PublicKeys: slices.Clone(c.PublicKeys)}
	if len(c.HS256Secret) > 0 {
		ks.Secrets = append(ks.Secrets, Secret{Key: c.HS256Secret})
	}
	ks.Secrets = append(ks.Secrets, c.Secrets...)
	return ks
}

// Verifier checks tokens against a Config and the key set in force. Safe for concurrent use; SetKeys
// replaces the keys while it serves (rotation without restart).
type Verifier struct {
	cfg   Config
	state atomic.Pointer[keyState]
}

// NewVerifier validates cfg and builds the algorithm allow-list.
func NewVerifier(cfg Config) (*Verifier, error) {
	v := &Verifier{cfg: cfg}
	st, err := newKeyState(cfg, cfg.keySet())
	if err != nil {
		return nil, err
	}
	if !st.hasKeys && !cfg.AllowAnonymous {
		return nil, fmt.Errorf("%w: set an HS256 secret, PEM public keys or a JWKS file", ErrNoKey)
	}
	// At start, an allowed algorithm without a key is a configuration mistake worth refusing; during a
	// rotation (SetKeys) it is a normal transition.
	for _, alg := range cfg.Algorithms {
		if !st.supported[alg] {
			return nil, fmt.Errorf("meridian/auth: algorithm %q is allowed but no configured key verifies it (have %v)", alg, slices.Sorted(mapsKeys(st.supported)))
		}
	}
	v.state.Store(st)
	return v, nil
}

// SetKeys replaces every trusted key at once: tokens signed by a key no longer in ks are refused from now
// on, tokens signed by a new key accepted. An invalid or empty set (without AllowAnonymous) is refused and
// the keys in force stay, so a broken key file never locks every client out.
func (v *Verifier) SetKeys(ks KeySet) error {
	st, err := newKeyState(v.cfg, ks)
	if err != nil {
		return err
	}
	if !st.hasKeys && !v.cfg.AllowAnonymous {
		return fmt.Errorf("%w: the new key set is empty; keeping the current keys", ErrNoKey)
	}
	v.state.Store(st)
	return nil
}

// Keys is the key set in force.
func (v *Verifier) Keys() KeySet {
	set := v.state.Load().set
	return KeySet{Secrets: slices.Clone(set.Secrets), PublicKeys: slices.Clone(set.PublicKeys)}
}

func mapsKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Algorithms is the allow-list in force.
func (v *Verifier) Algorithms() []string { return slices.Clone(v.state.Load().algs) }

// AllowsAnonymous reports whether requests without a token are let in (development mode).
func (v *Verifier) AllowsAnonymous() bool { return v.cfg.AllowAnonymous }

// Verify checks a token and returns its principal. An empty token yields the anonymous developer when
// allowed and ErrMissingToken otherwise.
func (v *Verifier) Verify(token string) (*Principal, error) {
	if token == "" {
		if v.cfg.AllowAnonymous {
			return AnonymousDeveloper(), nil
		}
		return nil, ErrMissingToken
	}
	st := v.state.Load()
	if !st.hasKeys {
		return nil, fmt.Errorf("%w: a token was given but %w", ErrInvalidToken, ErrNoKey)
	}
	var claims Claims
	t, err := st.parser.ParseWithClaims(token, &claims, st.key)
	if err != nil {
		// golang-jwt reports a disallowed alg as a bad signature; say what really happened.
		if t != nil && t.Header != nil {
			if alg, _ := t.Header["alg"].(string); !slices.Contains(st.algs, alg) {
				return nil, fmt.Errorf("%w: algorithm %q not allowed (allowed: %v)", ErrInvalidToken, alg, st.algs)
			}
		}
		return nil, fmt.Errorf("%w: %s", ErrInvalidToken, reason(err))
	}
	for _, g := range claims.Docs {
		if err := g.validate(); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
		}
	}
	p := &Principal{Subject: claims.Subject, Grants: claims.Docs, Admin: claims.Admin}
	p.KeyID, _ = t.Header["kid"].(string)
	// Unattributable (cannot happen for a verified token) fails closed: the next rotation ends the connection.
	ref, _ := st.verifiedBy(t, token)
	p.verifiedBy = &ref
	if claims.ExpiresAt != nil {
		p.ExpiresAt, p.leeway = claims.ExpiresAt.Time, v.leeway()
	}
	return p, nil
}

// leeway is the clock skew allowed on exp and nbf (the parser's, keystate.go).
func (v *Verifier) leeway() time.Duration {
	if v.cfg.Leeway == 0 {
		return DefaultLeeway
	}
	return v.cfg.Leeway
}

// reason turns a jwt error into a short client-facing explanation.
func reason(err error) string {
	var unknown unknownKeyError
	switch {
	case errors.As(err, &unknown):
		return unknown.Error() + " (retired or not yet installed)"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "token not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "wrong audience"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "wrong issuer"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "algorithm not allowed or key unknown"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return missingClaim(err)
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed token"
	}
	return "token rejected"
}

// missingClaim names the required claim a token lacks. golang-jwt reports every missing claim with the same
// sentinel and says which only in the text ("iss claim is required"), so the text is what is read.
func missingClaim(err error) string {
	msg := err.Error()
	for _, c := range []struct{ claim, reason string }{
		{"exp", "token has no expiry (exp)"},
		{"iss", "token has no issuer (iss); this server requires one"},
		{"aud", "token has no audience (aud); this server requires one"},
	} {
		if strings.Contains(msg, c.claim+" claim is required") {
			return c.reason
		}
	}
	return "token lacks a required claim"
}
