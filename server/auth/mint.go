package auth

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MintRequest describes a token for `meridian token`.
type MintRequest struct {
	Subject  string
	Grants   []Grant
	Admin    bool
	Issuer   string
	Audience string
	TTL      time.Duration
	Now      time.Time // zero: time.Now()
}

// Mint signs an HS256 token with secret.
func Mint(secret []byte, req MintRequest) (string, error) {
	return MintWith(SigningKey{Secret: secret}, req)
}

// MintWith signs a token with key (HS256, RS256, ES256 or EdDSA), naming key.ID in the `kid` header.
func MintWith(key SigningKey, req MintRequest) (string, error) {
	method, signWith, err := key.method()
	if err != nil {
		return "", err
	}
	if req.TTL <= 0 {
		return "", errors.New("meridian/auth: a token needs a positive TTL")
	}
	if len(req.Grants) == 0 && !req.Admin {
		return "", errors.New("meridian/auth: a token must grant at least one document pattern or admin")
	}
	for _, g := range req.Grants {
		if err := g.validate(); err != nil {
			return "", err
		}
	}
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   req.Subject,
			Issuer:    req.Issuer,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(req.TTL)),
		},
		Docs:  req.Grants,
		Admin: req.Admin,
	}
	if req.Audience != "" {
		claims.Audience = jwt.ClaimStrings{req.Audience}
	}
	tok := jwt.NewWithClaims(method, claims)
	if key.ID != "" {
		tok.Header["kid"] = key.ID
	}
	return tok.SignedString(signWith)
}
