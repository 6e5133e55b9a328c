package auth

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// keyRef names the key that verified a token, so that a rotation can tell which open connections relied on a
// key it retired (Verifier.Trusts). The kid is the one the token named ("" if none); the digest identifies
// the key material itself, so a kid reused for a different key does not keep old tokens alive.
type keyRef struct {
	kid      string
	material [32]byte
}

func secretDigest(key []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte("secret\x00"))
	h.Write(key)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func publicDigest(key crypto.PublicKey) [32]byte {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return [32]byte{} // a key type newKeyState accepts always marshals; the zero digest matches nothing real
	}
	h := sha256.New()
	h.Write([]byte("public\x00"))
	h.Write(der)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// verifiedBy finds the key of st that verified t (already parsed and verified from token). A token naming a
// kid was checked against that key only; one without a kid against every key of its algorithm, so the
// signature is checked again against each of them to find which one it was.
func (st *keyState) verifiedBy(t *jwt.Token, token string) (keyRef, bool) {
	kid, _ := t.Header["kid"].(string)
	hs := t.Method.Alg() == "HS256"
	if kid != "" {
		if hs {
			secret, ok := st.secretKid[kid]
			return keyRef{kid, secretDigest(secret)}, ok
		}
		k, ok := st.publicKid[kid]
		return keyRef{kid, publicDigest(k.Key)}, ok
	}
	dot := strings.LastIndexByte(token, '.')
	if dot < 0 {
		return keyRef{}, false
	}
	signed := token[:dot]
	if hs {
		for _, s := range st.set.Secrets {
			if t.Method.Verify(signed, t.Signature, s.Key) == nil {
				return keyRef{"", secretDigest(s.Key)}, true
			}
		}
		return keyRef{}, false
	}
	for _, k := range st.set.PublicKeys {
		if a, _ := k.algorithm(); a == t.Method.Alg() && t.Method.Verify(signed, t.Signature, k.Key) == nil {
			return keyRef{"", publicDigest(k.Key)}, true
		}
	}
	return keyRef{}, false
}

// trusts reports whether the key ref names is in st: by kid and material for a token that named a kid (a
// token of a retired kid is refused even if its material lives on under another kid), by material alone
// otherwise.
func (st *keyState) trusts(ref keyRef) bool {
	if ref.kid != "" {
		d, ok := st.kidDigests[ref.kid]
		return ok && d == ref.material
	}
	return st.digests[ref.material]
}

// Trusts reports whether the key that verified p's token is still in force. It turns false once a key
// rotation (SetKeys) retired that key: the server then ends the connections p holds, which were admitted
// before the rotation and would otherwise live until the token expires. Principals not verified by a key
// (the anonymous development principal, or one built by hand) are always trusted.
func (v *Verifier) Trusts(p *Principal) bool {
	if p == nil || p.verifiedBy == nil {
		return true
	}
	return v.state.Load().trusts(*p.verifiedBy)
}
