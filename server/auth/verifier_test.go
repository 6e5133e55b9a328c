package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

var testNow = time.Unix(1_800_000_000, 0)

func fixedNow() time.Time { return testNow }

func claimsFor(ttl time.Duration, grants ...Grant) Claims {
	return Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   "alice",
			Audience:  jwt.ClaimStrings{"meridian"},
			Issuer:    "test-issuer",
			ExpiresAt: jwt.NewNumericDate(testNow.Add(ttl)),
		},
		Docs: grants,
	}
}

func sign(t *testing.T, m jwt.SigningMethod, key any, c Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func hsVerifier(t *testing.T) *Verifier {
	t.Helper()
	v, err := NewVerifier(Config{HS256Secret: testSecret, Audience: "meridian", Issuer: "test-issuer", Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifyHS256(t *testing.T) {
	v := hsVerifier(t)
	tok := sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(time.Hour, Grant{Pattern: "team/*", Perm: PermWrite}))
	p, err := v.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "alice" || !p.ExpiresAt.Equal(testNow.Add(time.Hour)) {
		t.Fatalf("principal %+v", p)
	}
	if a := p.Access("team/x"); !a.Write || !a.Read || !a.Presence {
		t.Fatalf("team/x access %+v", a)
	}
	if a := p.Access("other"); a.Read {
		t.Fatalf("document outside the token granted: %+v", a)
	}
}

func TestVerifyRefusals(t *testing.T) {
	v := hsVerifier(t)
	grant := Grant{Pattern: "doc", Perm: PermRead}
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	wrongAud := claimsFor(time.Hour, grant)
	wrongAud.Audience = jwt.ClaimStrings{"someone-else"}
	wrongIss := claimsFor(time.Hour, grant)
	wrongIss.Issuer = "evil"
	noExp := claimsFor(time.Hour, grant)
	noExp.ExpiresAt = nil
	notYet := claimsFor(time.Hour, grant)
	notYet.NotBefore = jwt.NewNumericDate(testNow.Add(5 * time.Minute))
	badGrant := claimsFor(time.Hour, Grant{Pattern: "doc", Perm: "owner"})
	noneTok := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claimsFor(time.Hour, grant))

	cases := map[string]struct {
		token  string
		reason string
	}{
		"missing":          {"", ""},
		"expired":          {sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(-time.Hour, grant)), "token expired"},
		"bad signature":    {sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx!"), claimsFor(time.Hour, grant)), "bad signature"},
		"alg none":         {noneTok, "not allowed"},
		"alg RS256":        {sign(t, jwt.SigningMethodRS256, rsaKey, claimsFor(time.Hour, grant)), "not allowed"},
		"alg HS512":        {sign(t, jwt.SigningMethodHS512, testSecret, claimsFor(time.Hour, grant)), "not allowed"},
		"wrong audience":   {sign(t, jwt.SigningMethodHS256, testSecret, wrongAud), "wrong audience"},
		"wrong issuer":     {sign(t, jwt.SigningMethodHS256, testSecret, wrongIss), "wrong issuer"},
		"no expiry":        {sign(t, jwt.SigningMethodHS256, testSecret, noExp), "no expiry"},
		"not yet valid":    {sign(t, jwt.SigningMethodHS256, testSecret, notYet), "not valid yet"},
		"garbage":          {"not.a.jwt", "malformed"},
		"unknown perm":     {sign(t, jwt.SigningMethodHS256, testSecret, badGrant), "perm"},
		"truncated":        {sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(time.Hour, grant))[:40], "malformed"},
		"signature strip":  {strings.TrimRight(sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(time.Hour, grant)), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), "bad signature"},
		"expired in grace": {sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(-time.Minute, grant)), "token expired"},
	}
	for name, c := range cases {
		_, err := v.Verify(c.token)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if c.token == "" {
			if !errors.Is(err, ErrMissingToken) {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%s: got %q, want ErrInvalidToken mentioning %q", name, err, c.reason)
		}
	}
	// Inside the leeway an expired token is still accepted: clocks drift.
	if _, err := v.Verify(sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(-10*time.Second, grant))); err != nil {
		t.Fatalf("token within leeway refused: %v", err)
	}
}

func pemOf(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func TestVerifyAsymmetricKeysFromPEM(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	all := append(append(pemOf(t, &rsaKey.PublicKey), pemOf(t, &ecKey.PublicKey)...), pemOf(t, edPub)...)
	keys, err := ParsePublicKeysPEM(all)
	if err != nil || len(keys) != 3 {
		t.Fatalf("parse: %v %d", err, len(keys))
	}
	v, err := NewVerifier(Config{PublicKeys: keys, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(v.Algorithms(), ","); got != "ES256,EdDSA,RS256" {
		t.Fatalf("allow-list %s", got)
	}
	c := claimsFor(time.Hour, Grant{Pattern: "d", Perm: PermRead})
	c.Audience = nil
	for name, tok := range map[string]string{
		"RS256": sign(t, jwt.SigningMethodRS256, rsaKey, c),
		"ES256": sign(t, jwt.SigningMethodES256, ecKey, c),
		"EdDSA": sign(t, jwt.SigningMethodEdDSA, edPriv, c),
	} {
		if _, err := v.Verify(tok); err != nil {
			t.Errorf("%s refused: %v", name, err)
		}
	}
	// Algorithm confusion: an HS256 token keyed with the RSA public key's PEM must fail, since HS256 is not
	// in the allow-list of a verifier that only has public keys.
	confused := sign(t, jwt.SigningMethodHS256, pemOf(t, &rsaKey.PublicKey), c)
	if _, err := v.Verify(confused); err == nil {
		t.Fatal("HS256 token signed with the public key accepted")
	}
	// A token signed by a key we do not know.
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	if _, err := v.Verify(sign(t, jwt.SigningMethodRS256, other, c)); err == nil {
		t.Fatal("token signed by an unknown key accepted")
	}
}

func TestVerifyJWKSWithKid(t *testing.T) {
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	b64 := base64.RawURLEncoding.EncodeToString
	x, y := make([]byte, 32), make([]byte, 32)
	ecKey.X.FillBytes(x)
	ecKey.Y.FillBytes(y)
	set, _ := json.Marshal(map[string]any{"keys": []map[string]string{
		{"kty": "EC", "kid": "ec1", "crv": "P-256", "x": b64(x), "y": b64(y), "use": "sig"},
		{"kty": "OKP", "kid": "ed1", "crv": "Ed25519", "x": b64(edPub)},
	}})
	keys, err := ParseJWKS(set)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(Config{PublicKeys: keys, Algorithms: []string{"EdDSA"}, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	c := claimsFor(time.Hour, Grant{Pattern: "d", Perm: PermRead})
	c.Audience = nil
	tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	tok.Header["kid"] = "ed1"
	s, _ := tok.SignedString(edPriv)
	if _, err := v.Verify(s); err != nil {
		t.Fatalf("EdDSA with kid refused: %v", err)
	}
	tok.Header["kid"] = "nope"
	s, _ = tok.SignedString(edPriv)
	if _, err := v.Verify(s); err == nil {
		t.Fatal("unknown kid accepted")
	}
	// ES256 is configured as a key but excluded by the explicit allow-list.
	if _, err := v.Verify(sign(t, jwt.SigningMethodES256, ecKey, c)); err == nil {
		t.Fatal("ES256 accepted although the allow-list is EdDSA only")
	}
}

func TestNewVerifierExplainsMisconfiguration(t *testing.T) {
	if _, err := NewVerifier(Config{}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no key: %v", err)
	}
	if _, err := NewVerifier(Config{HS256Secret: []byte("short")}); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Fatalf("short secret: %v", err)
	}
	if _, err := NewVerifier(Config{HS256Secret: testSecret, Algorithms: []string{"none"}}); err == nil {
		t.Fatal("alg none allowed")
	}
	v, err := NewVerifier(Config{AllowAnonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify("")
	if err != nil || !p.Anonymous || !p.Access("any/doc").Write {
		t.Fatalf("dev anonymous: %+v %v", p, err)
	}
}

func TestGrantsCombine(t *testing.T) {
	p := &Principal{Grants: []Grant{
		{Pattern: "wiki/*", Perm: PermRead},
		{Pattern: "wiki/home", Perm: PermRead, Presence: true},
		{Pattern: "notes", Perm: PermWrite},
	}}
	for doc, want := range map[string]Access{
		"wiki/a":    {Read: true},
		"wiki/home": {Read: true, Presence: true},
		"notes":     {Read: true, Write: true, Presence: true},
		"notes/x":   {},
		"wiki":      {},
	} {
		if got := p.Access(doc); got != want {
			t.Errorf("%s: %+v, want %+v", doc, got, want)
		}
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add("a.b.c")
	f.Add("")
	v, err := NewVerifier(Config{HS256Secret: testSecret, Now: fixedNow})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		if p, err := v.Verify(token); err == nil {
			t.Fatalf("forged token accepted: %q -> %+v", token, p)
		}
	})
}

func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := ParseJWKS(data)
		if err == nil && len(keys) == 0 {
			t.Fatal("no error and no keys")
		}
		_, _ = ParsePublicKeysPEM(data)
	})
}
