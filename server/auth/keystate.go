package auth

import (
	"errors"
	"fmt"
	"slices"

	"github.com/golang-jwt/jwt/v5"
)

// Secret is an HS256 shared secret, optionally named by a key id (`kid`). Several secrets with distinct ids
// may be active at once, which is how an HS256 secret is rotated without downtime.
type Secret struct {
	ID  string
	Key []byte
}

// KeySet is every key a Verifier trusts at one moment. Verifier.SetKeys swaps it whole, so a rotation is
// atomic: a token is checked against either the old set or the new one, never a mixture.
type KeySet struct {
	Secrets    []Secret    // HS256
	PublicKeys []PublicKey // RS256, ES256, EdDSA
}

// Len counts the keys of the set.
func (ks KeySet) Len() int { return len(ks.Secrets) + len(ks.PublicKeys) }

// IDs lists the key ids of the set (keys without an id appear as ""), for logs and audits.
func (ks KeySet) IDs() []string {
	ids := make([]string, 0, ks.Len())
	for _, s := range ks.Secrets {
		ids = append(ids, s.ID)
	}
	for _, k := range ks.PublicKeys {
		ids = append(ids, k.ID)
	}
	return ids
}

// keyState is the immutable, ready-to-use form of a KeySet: the allow-list, the kid indexes, and a parser
// configured with that allow-list.
type keyState struct {
	set        KeySet
	algs       []string
	supported  map[string]bool
	secretKid  map[string][]byte
	publicKid  map[string]PublicKey
	parser     *jwt.Parser
	hasKeys    bool
	hasSecrets bool
	// For Verifier.Trusts: the digest of every key's material, and of each kid's key.
	digests    map[[32]byte]bool
	kidDigests map[string][32]byte
}

// newKeyState validates ks against cfg (secret lengths, key types, duplicate kids) and builds the indexes.
func newKeyState(cfg Config, ks KeySet) (*keyState, error) {
	st := &keyState{set: ks, supported: map[string]bool{}, secretKid: map[string][]byte{},
		publicKid: map[string]PublicKey{}, digests: map[[32]byte]bool{}, kidDigests: map[string][32]byte{}}
	for _, s := range ks.Secrets {
		if len(s.Key) < minSecretLen {
			name := "the HS256 secret"
			if s.ID != "" {
				name = fmt.Sprintf("the HS256 secret %q", s.ID)
			}
			return nil, fmt.Errorf("meridian/auth: %s has %d bytes, want at least %d (generate one with `openssl rand -base64 48` or `meridian keys gen --alg HS256`)", name, len(s.Key), minSecretLen)
		}
		if s.ID != "" {
			if _, dup := st.secretKid[s.ID]; dup {
				return nil, fmt.Errorf("meridian/auth: two HS256 secrets share the key id %q", s.ID)
			}
			st.secretKid[s.ID] = s.Key
			st.kidDigests[s.ID] = secretDigest(s.Key)
		}
		st.digests[secretDigest(s.Key)] = true
		st.supported["HS256"] = true
		st.hasSecrets = true
	}
	for _, k := range ks.PublicKeys {
		alg, err := k.algorithm()
		if err != nil {
			return nil, err
		}
		st.supported[alg] = true
		if k.ID != "" {
			if _, dup := st.publicKid[k.ID]; dup {
				return nil, fmt.Errorf("meridian/auth: two public keys share the key id %q", k.ID)
			}
			st.publicKid[k.ID] = k
			st.kidDigests[k.ID] = publicDigest(k.Key)
		}
		st.digests[publicDigest(k.Key)] = true
	}
	st.hasKeys = len(st.supported) > 0
	st.algs = slices.Sorted(func(yield func(string) bool) {
		for alg := range st.supported {
			if len(cfg.Algorithms) == 0 || slices.Contains(cfg.Algorithms, alg) {
				if !yield(alg) {
					return
				}
			}
		}
	})
	if st.hasKeys && len(st.algs) == 0 {
		return nil, fmt.Errorf("meridian/auth: no key verifies an allowed algorithm %v (keys support %v)",
			cfg.Algorithms, slices.Sorted(mapsKeys(st.supported)))
	}
	leeway := cfg.Leeway
	if leeway == 0 {
		leeway = DefaultLeeway
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods(st.algs), jwt.WithLeeway(leeway), jwt.WithExpirationRequired()}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	if cfg.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(cfg.Now))
	}
	st.parser = jwt.NewParser(opts...)
	return st, nil
}

// key picks the verification key for a token whose alg already passed the allow-list. A token naming a kid
// gets exactly that key or nothing: a retired kid must fail even if another key would happen to verify.
// Returning only keys of the type the alg expects (never a secret for an asymmetric alg) defeats alg
// confusion.
func (st *keyState) key(t *jwt.Token) (any, error) {
	alg := t.Method.Alg()
	kid, _ := t.Header["kid"].(string)
	if alg == "HS256" {
		if kid != "" {
			if secret, ok := st.secretKid[kid]; ok {
				return secret, nil
			}
			return nil, unknownKeyError{kid}
		}
		var set jwt.VerificationKeySet
		for _, s := range st.set.Secrets {
			set.Keys = append(set.Keys, s.Key)
		}
		if len(set.Keys) == 0 {
			return nil, errors.New("no HS256 secret")
		}
		return set, nil
	}
	if kid != "" {
		k, found := st.publicKid[kid]
		if !found {
			return nil, unknownKeyError{kid}
		}
		if a, _ := k.algorithm(); a != alg {
			return nil, fmt.Errorf("key %q verifies %s, not %s", kid, a, alg)
		}
		return k.Key, nil
	}
	var set jwt.VerificationKeySet
	for _, k := range st.set.PublicKeys {
		if a, _ := k.algorithm(); a == alg {
			set.Keys = append(set.Keys, k.Key)
		}
	}
	if len(set.Keys) == 0 {
		return nil, fmt.Errorf("no key for %s", alg)
	}
	return set, nil
}

// unknownKeyError is a token naming a kid that no key in force has: typically one signed with a retired key.
type unknownKeyError struct{ kid string }

func (e unknownKeyError) Error() string { return fmt.Sprintf("unknown key id %q", e.kid) }
