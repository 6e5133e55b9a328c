package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"
)

func mintReq() MintRequest {
	return MintRequest{Subject: "alice", Audience: "meridian", Issuer: "test-issuer", TTL: time.Hour, Now: testNow,
		Grants: []Grant{{Pattern: "doc", Perm: PermWrite}}}
}

func mustMint(t *testing.T, k SigningKey) string {
	t.Helper()
	tok, err := MintWith(k, mintReq())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func secretOf(b byte) []byte { return []byte(strings.Repeat(string(rune('a'+b%26)), 40)) }

func TestRotateHS256SecretsByKid(t *testing.T) {
	old, next := Secret{ID: "2025-01", Key: secretOf(1)}, Secret{ID: "2025-02", Key: secretOf(2)}
	v, err := NewVerifier(Config{Secrets: []Secret{old}, Audience: "meridian", Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	oldTok := mustMint(t, SigningKey{ID: old.ID, Secret: old.Key})
	newTok := mustMint(t, SigningKey{ID: next.ID, Secret: next.Key})
	if _, err := v.Verify(oldTok); err != nil {
		t.Fatalf("old key before rotation: %v", err)
	}
	if _, err := v.Verify(newTok); err == nil {
		t.Fatal("a token of a key not yet installed was accepted")
	}
	// Overlap: both keys active.
	if err := v.SetKeys(KeySet{Secrets: []Secret{old, next}}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{oldTok, newTok} {
		if p, err := v.Verify(tok); err != nil || p.Subject != "alice" {
			t.Fatalf("during overlap: %v", err)
		}
	}
	// Retire the old key.
	if err := v.SetKeys(KeySet{Secrets: []Secret{next}}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(oldTok); err == nil || !strings.Contains(err.Error(), `unknown key id "2025-01"`) {
		t.Fatalf("retired key: %v", err)
	}
	p, err := v.Verify(newTok)
	if err != nil || p.KeyID != "2025-02" {
		t.Fatalf("new key: %+v %v", p, err)
	}
	// A token naming the retired kid but signed by the new secret is refused too: the kid picks the key.
	forged := mustMint(t, SigningKey{ID: old.ID, Secret: next.Key})
	if _, err := v.Verify(forged); err == nil {
		t.Fatal("a retired kid was accepted")
	}
}

func TestRotateAsymmetricKeys(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	ecKey := SigningKey{ID: "ec-1", Private: ec}
	edKey := SigningKey{ID: "ed-1", Private: ed}
	v, err := NewVerifier(Config{PublicKeys: []PublicKey{{ID: "ec-1", Key: ec.Public()}}, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	ecTok, edTok := mustMint(t, ecKey), mustMint(t, edKey)
	if _, err := v.Verify(ecTok); err != nil {
		t.Fatal(err)
	}
	if got := v.Algorithms(); len(got) != 1 || got[0] != "ES256" {
		t.Fatalf("algorithms before: %v", got)
	}
	if err := v.SetKeys(KeySet{PublicKeys: []PublicKey{{ID: "ed-1", Key: ed.Public()}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(ecTok); err == nil {
		t.Fatal("token of a removed EC key accepted")
	}
	if _, err := v.Verify(edTok); err != nil {
		t.Fatalf("token of the new Ed25519 key: %v", err)
	}
	if got := v.Algorithms(); len(got) != 1 || got[0] != "EdDSA" {
		t.Fatalf("algorithms after: %v", got)
	}
	// A kid pointing at a key of another type is refused, whatever the token's alg.
	mixed := mustMint(t, SigningKey{ID: "ed-1", Private: ec})
	if _, err := v.Verify(mixed); err == nil {
		t.Fatal("ES256 token naming an Ed25519 kid accepted")
	}
}

func TestSetKeysRefusesBrokenSets(t *testing.T) {
	s := Secret{ID: "k", Key: secretOf(3)}
	v, err := NewVerifier(Config{Secrets: []Secret{s}, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	tok := mustMint(t, SigningKey{ID: "k", Secret: s.Key})
	if err := v.SetKeys(KeySet{}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("empty set: %v", err)
	}
	if err := v.SetKeys(KeySet{Secrets: []Secret{{ID: "x", Key: []byte("short")}}}); err == nil {
		t.Fatal("short secret accepted")
	}
	if err := v.SetKeys(KeySet{Secrets: []Secret{s, s}}); err == nil {
		t.Fatal("duplicate kid accepted")
	}
	if _, err := v.Verify(tok); err != nil {
		t.Fatalf("keys in force were lost after refused sets: %v", err)
	}
	if ids := v.Keys().IDs(); len(ids) != 1 || ids[0] != "k" {
		t.Fatalf("keys: %v", ids)
	}
}

func TestKeySetJSONRoundTrip(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pubJWK, err := PublicJWK(PublicKey{ID: "ec-9", Key: ec.Public()})
	if err != nil {
		t.Fatal(err)
	}
	secJWK, err := SecretJWK(Secret{ID: "hs-9", Key: secretOf(9)})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(JWKSDocument{Keys: []json.RawMessage{pubJWK, secJWK}})
	if _, err := ParseJWKS(doc); err == nil || !strings.Contains(err.Error(), "never behind a URL") {
		t.Fatalf("a secret was accepted from a public JWKS: %v", err)
	}
	ks, err := ParseKeySet(doc, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(ks.PublicKeys) != 1 || ks.PublicKeys[0].ID != "ec-9" || !ks.PublicKeys[0].Key.(*ecdsa.PublicKey).Equal(ec.Public()) {
		t.Fatalf("public key: %+v", ks.PublicKeys)
	}
	if len(ks.Secrets) != 1 || ks.Secrets[0].ID != "hs-9" || string(ks.Secrets[0].Key) != string(secretOf(9)) {
		t.Fatalf("secret: %+v", ks.Secrets)
	}
	noKid := []byte(`{"keys":[{"kty":"oct","k":"` + strings.Repeat("A", 60) + `"}]}`)
	if _, err := ParseKeySet(noKid, true); err == nil {
		t.Fatal("oct key without kid accepted")
	}
}

func TestThumbprintIsStableAndDistinct(t *testing.T) {
	a, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ta1, err1 := Thumbprint(a.Public())
	ta2, err2 := Thumbprint(&a.PublicKey)
	tb, err3 := Thumbprint(b.Public())
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if ta1 != ta2 || ta1 == tb || len(ta1) != 43 {
		t.Fatalf("thumbprints %q %q %q", ta1, ta2, tb)
	}
}

func TestPrivateAndPublicPEMWithKid(t *testing.T) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(ed)
	privPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"kid": "ed-7"}, Bytes: der})
	sk, err := ParsePrivateKeyPEM(privPEM)
	if err != nil || sk.ID != "ed-7" {
		t.Fatalf("private: %+v %v", sk, err)
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(ed.Public())
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: map[string]string{"kid": "ed-7"}, Bytes: pubDER})
	keys, err := ParsePublicKeysPEM(pubPEM)
	if err != nil || keys[0].ID != "ed-7" {
		t.Fatalf("public: %+v %v", keys, err)
	}
	v, err := NewVerifier(Config{PublicKeys: keys, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := v.Verify(mustMint(t, sk)); err != nil || p.KeyID != "ed-7" {
		t.Fatalf("verify: %+v %v", p, err)
	}
	if _, err := ParsePrivateKeyPEM(pubPEM); err == nil {
		t.Fatal("a public key was taken as a private key")
	}
}

func FuzzParseKeySet(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"oct","kid":"a","k":"`+strings.Repeat("QUFB", 12)+`"}]}`), true)
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`), false)
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`), false)
	f.Add([]byte(`{`), true)
	f.Fuzz(func(t *testing.T, data []byte, secrets bool) {
		ks, err := ParseKeySet(data, secrets)
		if err != nil {
			return
		}
		if !secrets && len(ks.Secrets) > 0 {
			t.Fatal("secrets parsed although not allowed")
		}
		_, _ = NewVerifier(Config{Secrets: ks.Secrets, PublicKeys: ks.PublicKeys})
	})
}

func FuzzParsePrivateKeyPEM(f *testing.F) {
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(ed)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"kid": "x"}, Bytes: der}))
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParsePrivateKeyPEM(data)
	})
}
