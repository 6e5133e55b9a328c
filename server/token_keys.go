package server

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/meridian-sync/meridian/server/auth"
)

func registerTokenKeyFlags(fs *flag.FlagSet, t *TokenOptions) {
	fs.StringVar(&t.KeyID, "kid", "", "key id to name in the token header (the kid of the secret or key in the server's JWKS)")
	fs.StringVar(&t.KeyFile, "key", "", "PEM private key (RS256, ES256, EdDSA) to sign with instead of the HS256 secret; `meridian keys gen` makes one")
}

// signingKey is the secret or private key the options name; --kid overrides a kid read from the PEM file.
func (t TokenOptions) signingKey() (auth.SigningKey, error) {
	if t.KeyFile != "" {
		if t.Secret != "" {
			return auth.SigningKey{}, errors.New("give either --key or --jwt-secret (MERIDIAN_JWT_SECRET), not both")
		}
		data, err := os.ReadFile(t.KeyFile)
		if err != nil {
			return auth.SigningKey{}, fmt.Errorf("--key: %w", err)
		}
		key, err := auth.ParsePrivateKeyPEM(data)
		if err != nil {
			return auth.SigningKey{}, fmt.Errorf("--key %s: %w", t.KeyFile, err)
		}
		if t.KeyID != "" {
			key.ID = t.KeyID
		}
		return key, nil
	}
	if t.Secret == "" {
		return auth.SigningKey{}, errors.New("no key: set --jwt-secret or MERIDIAN_JWT_SECRET to the server's HS256 secret, or --key to a PEM private key")
	}
	return auth.SigningKey{ID: t.KeyID, Secret: []byte(t.Secret)}, nil
}
