package auth

import (
	"errors"
	"fmt"
	"slices"
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
	HS256Secret []byte      // shared secret for HS256 (at least 32 bytes)
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

// Verifier checks tokens against a Config. Safe for concurrent use.
type Verifier struct {
	cfg     Config
	algs    []string
	byKid   map[string]PublicKey
	parser  *jwt.Parser
	hasKeys bool
}

// NewVerifier validates cfg and builds the algorithm allow-list.
func NewVerifier(cfg Config) (*Verifier, error) {
	v := &Verifier{cfg: cfg, byKid: map[string]PublicKey{}}
	supported := map[string]bool{}
	if len(cfg.HS256Secret) > 0 {
		if len(cfg.HS256Secret) < minSecretLen {
			return nil, fmt.Errorf("meridian/auth: the HS256 secret has %d bytes, want at least %d (generate one with `openssl rand -base64 48`)", len(cfg.HS256Secret), minSecretLen)
		}
		supported["HS256"] = true
	}
	for _, k := range cfg.PublicKeys {
		alg, err := k.algorithm()
		if err != nil {
			return nil, err
		}
		supported[alg] = true
		if k.ID != "" {
			v.byKid[k.ID] = k
		}
	}
	v.hasKeys = len(supported) > 0
	if !v.hasKeys && !cfg.AllowAnonymous {
		return nil, fmt.Errorf("%w: set an HS256 secret, PEM public keys or a JWKS file", ErrNoKey)
	}
	v.algs = slices.Sorted(func(yield func(string) bool) {
		for alg := range supported {
			if len(cfg.Algorithms) == 0 || slices.Contains(cfg.Algorithms, alg) {
				if !yield(alg) {
					return
				}
			}
		}
	})
	for _, alg := range cfg.Algorithms {
		if !supported[alg] {
			return nil, fmt.Errorf("meridian/auth: algorithm %q is allowed but no configured key verifies it (have %v)", alg, slices.Sorted(mapsKeys(supported)))
		}
	}
	leeway := cfg.Leeway
	if leeway == 0 {
		leeway = DefaultLeeway
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods(v.algs), jwt.WithLeeway(leeway), jwt.WithExpirationRequired()}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	if cfg.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(cfg.Now))
	}
	v.parser = jwt.NewParser(opts...)
	return v, nil
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
func (v *Verifier) Algorithms() []string { return slices.Clone(v.algs) }

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
	if !v.hasKeys {
		return nil, fmt.Errorf("%w: a token was given but %w", ErrInvalidToken, ErrNoKey)
	}
	var claims Claims
	if t, err := v.parser.ParseWithClaims(token, &claims, v.key); err != nil {
		// golang-jwt reports a disallowed alg as a bad signature; say what really happened.
		if t != nil && t.Header != nil {
			if alg, _ := t.Header["alg"].(string); !slices.Contains(v.algs, alg) {
				return nil, fmt.Errorf("%w: algorithm %q not allowed (allowed: %v)", ErrInvalidToken, alg, v.algs)
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
	if claims.ExpiresAt != nil {
		p.ExpiresAt = claims.ExpiresAt.Time
	}
	return p, nil
}

// key picks the verification key for a token whose alg already passed the allow-list. Returning a key of
// the type the alg expects (never the HS secret for an asymmetric alg) is what defeats alg confusion.
func (v *Verifier) key(t *jwt.Token) (any, error) {
	alg := t.Method.Alg()
	if alg == "HS256" {
		return v.cfg.HS256Secret, nil
	}
	if kid, ok := t.Header["kid"].(string); ok && kid != "" {
		k, found := v.byKid[kid]
		if !found {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return k.Key, nil
	}
	var set jwt.VerificationKeySet
	for _, k := range v.cfg.PublicKeys {
		if a, _ := k.algorithm(); a == alg {
			set.Keys = append(set.Keys, k.Key)
		}
	}
	if len(set.Keys) == 0 {
		return nil, fmt.Errorf("no key for %s", alg)
	}
	return set, nil
}

// reason turns a jwt error into a short client-facing explanation.
func reason(err error) string {
	switch {
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
		return "token has no expiry"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed token"
	}
	return "token rejected"
}
