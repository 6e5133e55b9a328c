package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
)

// JWKSDocument is a JSON Web Key Set as written to a --jwks-file or served at a --jwks-url.
type JWKSDocument struct {
	Keys []json.RawMessage `json:"keys"`
}

// PublicJWK encodes a public key as a JSON Web Key with use "sig", its alg and its kid.
func PublicJWK(k PublicKey) (json.RawMessage, error) {
	j, err := publicJWK(k.Key)
	if err != nil {
		return nil, err
	}
	if j.Alg, err = k.algorithm(); err != nil {
		return nil, err
	}
	j.Kid, j.Use = k.ID, "sig"
	return json.Marshal(j)
}

// SecretJWK encodes an HS256 secret as an `oct` JSON Web Key (for a local --jwks-file only).
func SecretJWK(s Secret) (json.RawMessage, error) {
	if s.ID == "" {
		return nil, fmt.Errorf("meridian/auth: an HS256 secret in a JWKS needs a key id")
	}
	return json.Marshal(jwk{Kty: "oct", Kid: s.ID, Use: "sig", Alg: "HS256", K: base64.RawURLEncoding.EncodeToString(s.Key)})
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of a public key, base64url: a stable default key id.
func Thumbprint(key any) (string, error) {
	j, err := publicJWK(key)
	if err != nil {
		return "", err
	}
	// RFC 7638: only the required members, in lexicographic order, no whitespace. encoding/json writes map
	// keys sorted, which gives exactly that canonical form.
	members := map[string]string{"kty": j.Kty}
	switch j.Kty {
	case "RSA":
		members["n"], members["e"] = j.N, j.E
	case "EC":
		members["crv"], members["x"], members["y"] = j.Crv, j.X, j.Y
	case "OKP":
		members["crv"], members["x"] = j.Crv, j.X
	}
	canonical, err := json.Marshal(members)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(canonical)
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

func publicJWK(key any) (jwk, error) {
	b64 := base64.RawURLEncoding.EncodeToString
	switch k := key.(type) {
	case *rsa.PublicKey:
		return jwk{Kty: "RSA", N: b64(k.N.Bytes()), E: b64(big.NewInt(int64(k.E)).Bytes())}, nil
	case *ecdsa.PublicKey:
		raw, err := k.Bytes() // uncompressed point: 0x04 || X || Y
		if err != nil || len(raw) != 65 {
			return jwk{}, fmt.Errorf("meridian/auth: EC key is not a P-256 key")
		}
		return jwk{Kty: "EC", Crv: "P-256", X: b64(raw[1:33]), Y: b64(raw[33:])}, nil
	case ed25519.PublicKey:
		return jwk{Kty: "OKP", Crv: "Ed25519", X: b64(k)}, nil
	}
	return jwk{}, fmt.Errorf("meridian/auth: unsupported key type %T", key)
}

// EncodePublicKeyPEM writes a public key as a PKIX PUBLIC KEY block, with its key id in a `kid:` header
// when it has one (ParsePublicKeysPEM reads it back).
func EncodePublicKeyPEM(k PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(k.Key)
	if err != nil {
		return nil, fmt.Errorf("meridian/auth: %w", err)
	}
	block := &pem.Block{Type: "PUBLIC KEY", Bytes: der}
	if k.ID != "" {
		block.Headers = map[string]string{PEMKeyIDHeader: k.ID}
	}
	return pem.EncodeToMemory(block), nil
}
