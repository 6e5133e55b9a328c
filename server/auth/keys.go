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

// ParsePublicKeysPEM reads every PUBLIC KEY (PKIX) or RSA PUBLIC KEY block of a PEM file.
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
		keys = append(keys, PublicKey{Key: key})
	}
	if len(keys) == 0 {
		return nil, errors.New("meridian/auth: no PEM public key found")
	}
	return keys, nil
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Crv string `json:"crv"`
	N   string `json:"n"`
	E   string `json:"e"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// ParseJWKS reads a JSON Web Key Set ({"keys":[...]}) of RSA, EC P-256 and OKP Ed25519 public keys.
func ParseJWKS(data []byte) ([]PublicKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("meridian/auth: parse JWKS: %w", err)
	}
	var keys []PublicKey
	for i, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		key, err := k.publicKey()
		if err != nil {
			return nil, fmt.Errorf("meridian/auth: JWKS key %d (kid %q): %w", i, k.Kid, err)
		}
		keys = append(keys, PublicKey{ID: k.Kid, Key: key})
	}
	if len(keys) == 0 {
		return nil, errors.New("meridian/auth: JWKS holds no signing key")
	}
	return keys, nil
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
