package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// SigningKey is what `meridian token` signs with: an HS256 secret or a private key (RSA ≥ 2048 bits, EC
// P-256, Ed25519), and the key id written in the token's `kid` header ("" writes none).
type SigningKey struct {
	ID      string
	Secret  []byte        // HS256; or
	Private crypto.Signer // *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey
}

// Algorithm is the JWT alg the key signs with.
func (k SigningKey) Algorithm() (string, error) {
	if k.Private == nil {
		if len(k.Secret) < minSecretLen {
			return "", fmt.Errorf("meridian/auth: the HS256 secret has %d bytes, want at least %d", len(k.Secret), minSecretLen)
		}
		return "HS256", nil
	}
	return PublicKey{ID: k.ID, Key: k.Private.Public()}.algorithm()
}

func (k SigningKey) method() (jwt.SigningMethod, any, error) {
	alg, err := k.Algorithm()
	if err != nil {
		return nil, nil, err
	}
	if k.Private == nil {
		return jwt.SigningMethodHS256, k.Secret, nil
	}
	return jwt.GetSigningMethod(alg), k.Private, nil
}

// ParsePrivateKeyPEM reads the first private key of a PEM file: PKCS #8 (PRIVATE KEY, what `meridian keys
// gen` writes), EC PRIVATE KEY (SEC 1) or RSA PRIVATE KEY (PKCS #1). A `kid:` header names its key id.
func ParsePrivateKeyPEM(data []byte) (SigningKey, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return SigningKey{}, errors.New("meridian/auth: no PEM private key found")
		}
		var key any
		var err error
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		default:
			continue // certificates, parameters, public keys: look further
		}
		if err != nil {
			return SigningKey{}, fmt.Errorf("meridian/auth: parse PEM private key: %w", err)
		}
		var signer crypto.Signer
		switch k := key.(type) {
		case *rsa.PrivateKey:
			signer = k
		case *ecdsa.PrivateKey:
			signer = k
		case ed25519.PrivateKey:
			signer = k
		default:
			return SigningKey{}, fmt.Errorf("meridian/auth: unsupported private key type %T", key)
		}
		sk := SigningKey{ID: block.Headers[PEMKeyIDHeader], Private: signer}
		if _, err := sk.Algorithm(); err != nil {
			return SigningKey{}, err
		}
		return sk, nil
	}
}
