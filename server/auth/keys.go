package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
)

// PublicKey is a verification key, optionally named by a key id that tokens select with their `kid` header.
type PublicKey struct {
	ID  string
	Key crypto.PublicKey // *rsa.PublicKey, *ecdsa.PublicKey (P-256) or ed25519.PublicKey
}

// algorithm is the JWT alg this key verifies. One algorithm per key type keeps the allow-list explicit.
func (k PublicKey) algorithm() (string, error) {
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		if key.N.BitLen() < 2048 {
			return "", fmt.Errorf("meridian/auth: RSA key %q has %d bits, want at least 2048", k.ID, key.N.BitLen())
		}
		return "RS256", nil
	case *ecdsa.PublicKey:
		if key.Curve != elliptic.P256() {
			return "", fmt.Errorf("meridian/auth: EC key %q is not on P-256 (ES256)", k.ID)
		}
		return "ES256", nil
	case ed25519.PublicKey:
		return "EdDSA", nil
	}
	return "", fmt.Errorf("meridian/auth: unsupported key type %T", k.Key)
}

// ParsePublicKeysPEM reads every PUBLIC KEY (PKIX) or RSA PUBLIC KEY block of a PEM file. A block may name
// its key id with a `kid:` header line (as `meridian keys pem` writes it); without one the key has no id and
// verifies only tokens that name no kid.
func ParsePublicKeysPEM(data []byte) ([]PublicKey, error) {
	var keys []PublicKey
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		var key crypto.PublicKey
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			key, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			key, err = x509.ParsePKCS1PublicKey(block.Bytes)
		default:
			return nil, fmt.Errorf("meridian/auth: PEM block %q is not a public key (want PUBLIC KEY)", block.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("meridian/auth: parse PEM public key: %w", err)
		}
		keys = append(keys, PublicKey{ID: block.Headers[PEMKeyIDHeader], Key: key})
	}
	if len(keys) == 0 {
		return nil, errors.New("meridian/auth: no PEM public key found")
	}
	return keys, nil
}

// PEMKeyIDHeader is the PEM header that carries a public key's key id.
const PEMKeyIDHeader = "kid"

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Crv string `json:"crv,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	K   string `json:"k,omitempty"` // oct (HS256) secrets only
}

// ParseJWKS reads a JSON Web Key Set ({"keys":[...]}) of RSA, EC P-256 and OKP Ed25519 public keys. A set
// holding a secret (kty "oct") is refused: use ParseKeySet for a local file that may hold HS256 secrets.
func ParseJWKS(data []byte) ([]PublicKey, error) {
	ks, err := ParseKeySet(data, false)
	if err != nil {
		return nil, err
	}
	return ks.PublicKeys, nil
}

// ParseKeySet reads a JSON Web Key Set. With allowSecrets, `oct` keys become HS256 secrets (each must have
// a kid, as a rotation needs to tell them apart); without it they are an error, since a secret must never be
// fetched from a URL. Keys whose use is not "sig" are skipped.
func ParseKeySet(data []byte, allowSecrets bool) (KeySet, error) {
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return KeySet{}, fmt.Errorf("meridian/auth: parse JWKS: %w", err)
	}
	var ks KeySet
	for i, k := range doc.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if k.Kty == "oct" {
			secret, err := k.secret(allowSecrets)
			if err != nil {
				return KeySet{}, fmt.Errorf("meridian/auth: JWKS key %d (kid %q): %w", i, k.Kid, err)
			}
			ks.Secrets = append(ks.Secrets, secret)
			continue
		}
		key, err := k.publicKey()
		if err != nil {
			return KeySet{}, fmt.Errorf("meridian/auth: JWKS key %d (kid %q): %w", i, k.Kid, err)
		}
		ks.PublicKeys = append(ks.PublicKeys, PublicKey{ID: k.Kid, Key: key})
	}
	if ks.Len() == 0 {
		return KeySet{}, errors.New("meridian/auth: JWKS holds no signing key")
	}
	return ks, nil
}

func (k jwk) secret(allowed bool) (Secret, error) {
	if !allowed {
		return Secret{}, errors.New("a shared secret (kty oct) is not accepted here: secrets belong in a local file, never behind a URL")
	}
	if k.Kid == "" {
		return Secret{}, errors.New("an HS256 secret (kty oct) needs a kid")
	}
	if k.Alg != "" && k.Alg != "HS256" {
		return Secret{}, fmt.Errorf("oct key for %q: only HS256 is supported", k.Alg)
	}
	raw, err := base64.RawURLEncoding.DecodeString(k.K)
	if err != nil {
		return Secret{}, errors.New("the secret (k) is not base64url")
	}
	if len(raw) < minSecretLen {
		return Secret{}, fmt.Errorf("the secret has %d bytes, want at least %d", len(raw), minSecretLen)
	}
	return Secret{ID: k.Kid, Key: raw}, nil
}

func (k jwk) publicKey() (crypto.PublicKey, error) {
	b64 := base64.RawURLEncoding.DecodeString
	switch k.Kty {
	case "RSA":
		n, err1 := b64(k.N)
		e, err2 := b64(k.E)
		if err := errors.Join(err1, err2); err != nil || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("bad RSA modulus or exponent")
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
	case "EC":
		if k.Crv != "P-256" {
			return nil, fmt.Errorf("curve %q is not supported, want P-256", k.Crv)
		}
		x, err1 := b64(k.X)
		y, err2 := b64(k.Y)
		if err := errors.Join(err1, err2); err != nil || len(x) != 32 || len(y) != 32 {
			return nil, fmt.Errorf("bad EC coordinates")
		}
		// Parse through the uncompressed point encoding so an off-curve point is rejected.
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, err
		}
		return pub, nil
	case "OKP":
		x, err := b64(k.X)
		if err != nil || k.Crv != "Ed25519" || len(x) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("only Ed25519 OKP keys are supported")
		}
		return ed25519.PublicKey(x), nil
	}
	return nil, fmt.Errorf("key type %q is not supported", k.Kty)
}
