package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"
)

// trustAfter verifies tok with v, installs ks, and reports whether the principal is still trusted.
func trustAfter(t *testing.T, v *Verifier, tok string, ks KeySet) bool {
	t.Helper()
	p, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Trusts(p) {
		t.Fatal("a principal just verified is not trusted")
	}
	if err := v.SetKeys(ks); err != nil {
		t.Fatal(err)
	}
	return v.Trusts(p)
}

func TestTrustsFollowsTheKeyThatVerifiedAKidlessToken(t *testing.T) {
	a, b := Secret{Key: secretOf(1)}, Secret{Key: secretOf(2)}
	tok := mustMint(t, SigningKey{Secret: b.Key}) // no kid: tried against both secrets, b verifies it
	for _, tc := range []struct {
		name string
		keep []Secret
		want bool
	}{
		{"the other key retired", []Secret{b}, true},
		{"its key retired", []Secret{a}, false},
		{"its key kept under a kid", []Secret{a, {ID: "named", Key: b.Key}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewVerifier(Config{Secrets: []Secret{a, b}, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			if got := trustAfter(t, v, tok, KeySet{Secrets: tc.keep}); got != tc.want {
				t.Fatalf("Trusts = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTrustsFollowsTheKidOfAToken(t *testing.T) {
	old := Secret{ID: "2025-01", Key: secretOf(1)}
	tok := mustMint(t, SigningKey{ID: old.ID, Secret: old.Key})
	for _, tc := range []struct {
		name string
		keep []Secret
		want bool
	}{
		{"unchanged", []Secret{old, {ID: "2025-02", Key: secretOf(2)}}, true},
		{"kid removed", []Secret{{ID: "2025-02", Key: secretOf(2)}}, false},
		// The same material under another kid: the token names the retired kid, and Verify refuses it too.
		{"material moved to another kid", []Secret{{ID: "2025-02", Key: old.Key}}, false},
		{"kid reused for another key", []Secret{{ID: old.ID, Key: secretOf(3)}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewVerifier(Config{Secrets: []Secret{old}, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			got := trustAfter(t, v, tok, KeySet{Secrets: tc.keep})
			if got != tc.want {
				t.Fatalf("Trusts = %v, want %v", got, tc.want)
			}
			if _, err := v.Verify(tok); (err == nil) != got {
				t.Fatalf("Trusts = %v but Verify says %v: a live connection must be trusted exactly when a new one would be", got, err)
			}
		})
	}
}

func TestTrustsWithPublicKeys(t *testing.T) {
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub1, pub2 := PublicKey{Key: k1.Public()}, PublicKey{Key: k2.Public()}
	tok := mustMint(t, SigningKey{Private: k2})
	v, err := NewVerifier(Config{PublicKeys: []PublicKey{pub1, pub2}, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if !trustAfter(t, v, tok, KeySet{PublicKeys: []PublicKey{pub2}}) {
		t.Fatal("retiring another key ended the trust in k2's token")
	}
	if trustAfter(t, v, tok, KeySet{PublicKeys: []PublicKey{pub1}}) {
		t.Fatal("k2's token is still trusted after k2 was retired")
	}
}

func TestTrustsPrincipalsWithoutAKey(t *testing.T) {
	v, err := NewVerifier(Config{Secrets: []Secret{{Key: secretOf(1)}}, AllowAnonymous: true, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	anon, err := v.Verify("")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.SetKeys(KeySet{Secrets: []Secret{{Key: secretOf(2)}}}); err != nil {
		t.Fatal(err)
	}
	if !v.Trusts(anon) || !v.Trusts(&Principal{Subject: "by hand"}) || !v.Trusts(nil) {
		t.Fatal("a principal no key verified must stay trusted")
	}
}
