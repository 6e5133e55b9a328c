package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/server/auth"
)

func mintWith(t *testing.T, key auth.SigningKey, docs ...string) string {
	t.Helper()
	req := auth.MintRequest{Subject: "rotation-test", TTL: time.Hour}
	for _, d := range docs {
		req.Grants = append(req.Grants, auth.Grant{Pattern: d, Perm: auth.PermWrite})
	}
	tok, err := auth.MintWith(key, req)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func jwksOf(t *testing.T, secrets []auth.Secret, public []auth.PublicKey) []byte {
	t.Helper()
	var doc auth.JWKSDocument
	for _, s := range secrets {
		j, err := auth.SecretJWK(s)
		if err != nil {
			t.Fatal(err)
		}
		doc.Keys = append(doc.Keys, j)
	}
	for _, k := range public {
		j, err := auth.PublicJWK(k)
		if err != nil {
			t.Fatal(err)
		}
		doc.Keys = append(doc.Keys, j)
	}
	b, _ := json.Marshal(doc)
	return b
}

// waitStatus polls GET path with tok until it answers want.
func (ts *testServer) waitStatus(path, tok string, want int) {
	ts.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, body := ts.request(http.MethodGet, path, tok, nil)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			ts.t.Fatalf("GET %s answered %d (%s), want %d; logs:\n%s", path, got, body, want, ts.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestJWKSFileRotationWithoutRestart(t *testing.T) {
	dir := t.TempDir()
	jwksFile := filepath.Join(dir, "keys.jwks")
	old := auth.Secret{ID: "hs-2025-01", Key: []byte(strings.Repeat("o", 48))}
	next := auth.Secret{ID: "hs-2025-02", Key: []byte(strings.Repeat("n", 48))}
	writeAtomically(t, jwksFile, jwksOf(t, []auth.Secret{old}, nil))
	ts := startServer(t, "", func(c *Config) {
		c.JWTSecret = ""
		c.JWKSFile = jwksFile
		c.Security.JWKSRefresh = 20 * time.Millisecond
	})
	oldTok := mintWith(t, auth.SigningKey{ID: old.ID, Secret: old.Key}, "rot")
	newTok := mintWith(t, auth.SigningKey{ID: next.ID, Secret: next.Key}, "rot")
	ts.waitStatus("/v1/docs/rot", oldTok, http.StatusOK)
	ts.waitStatus("/v1/docs/rot", newTok, http.StatusUnauthorized)

	// Step 1 of the runbook: add the new key next to the old one.
	writeAtomically(t, jwksFile, jwksOf(t, []auth.Secret{old, next}, nil))
	ts.waitStatus("/v1/docs/rot", newTok, http.StatusOK)
	ts.waitStatus("/v1/docs/rot", oldTok, http.StatusOK)

	// Last step: retire the old key. Its tokens are refused; the new ones keep working.
	writeAtomically(t, jwksFile, jwksOf(t, []auth.Secret{next}, nil))
	ts.waitStatus("/v1/docs/rot", oldTok, http.StatusUnauthorized)
	ts.waitStatus("/v1/docs/rot", newTok, http.StatusOK)
	if _, body := ts.request(http.MethodGet, "/v1/docs/rot", oldTok, nil); !strings.Contains(string(body), "unknown key id") {
		t.Fatalf("refusal of a retired key does not say why: %s", body)
	}
	// A WebSocket with a retired key is refused too.
	c := ts.connectWithToken(t, "rot", oldTok)
	c.expectClose(CloseUnauthorized)

	logs := ts.logs.String()
	if !strings.Contains(logs, `audit=true action=keys.reload subject=system target=jwt outcome=ok`) ||
		!strings.Contains(logs, `removed=[hs-2025-01]`) {
		t.Fatalf("no audit line for the key reload:\n%s", logs)
	}

	// A broken file keeps the keys in force and is audited as failed.
	writeAtomically(t, jwksFile, []byte(`{"keys": [`))
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(ts.logs.String(), "action=keys.reload subject=system target=jwt outcome=failed") {
		if time.Now().After(deadline) {
			t.Fatalf("a broken key file was not reported:\n%s", ts.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.waitStatus("/v1/docs/rot", newTok, http.StatusOK)
	if strings.Contains(ts.logs.String(), strings.Repeat("n", 48)) {
		t.Fatal("a secret reached the logs")
	}
}

func (ts *testServer) connectWithToken(t *testing.T, doc, tok string) *client {
	t.Helper()
	return ts.connect(doc, "token="+tok)
}

// jwksEndpoint serves a JWKS that the test replaces at will, over TLS.
type jwksEndpoint struct {
	mu   sync.Mutex
	body []byte
	srv  *httptest.Server
}

func newJWKSEndpoint(t *testing.T, body []byte) *jwksEndpoint {
	e := &jwksEndpoint{body: body}
	e.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		e.mu.Lock()
		defer e.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(e.body)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *jwksEndpoint) set(body []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.body = body
}

func TestJWKSURLRotationWithoutRestart(t *testing.T) {
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pub1 := auth.PublicKey{ID: "es-1", Key: k1.Public()}
	pub2 := auth.PublicKey{ID: "es-2", Key: k2.Public()}
	idp := newJWKSEndpoint(t, jwksOf(t, nil, []auth.PublicKey{pub1}))
	ts := startServer(t, "", func(c *Config) {
		c.JWTSecret = ""
		c.Security.JWKSURL = idp.srv.URL + "/.well-known/jwks.json"
		c.Security.JWKSClient = idp.srv.Client()
		c.Security.JWKSRefresh = 20 * time.Millisecond
	})
	tok1 := mintWith(t, auth.SigningKey{ID: "es-1", Private: k1}, "url-doc")
	tok2 := mintWith(t, auth.SigningKey{ID: "es-2", Private: k2}, "url-doc")
	ts.waitStatus("/v1/docs/url-doc", tok1, http.StatusOK)
	ts.waitStatus("/v1/docs/url-doc", tok2, http.StatusUnauthorized)
	idp.set(jwksOf(t, nil, []auth.PublicKey{pub2}))
	ts.waitStatus("/v1/docs/url-doc", tok2, http.StatusOK)
	ts.waitStatus("/v1/docs/url-doc", tok1, http.StatusUnauthorized)
	// The identity provider going down keeps the last keys.
	idp.set([]byte("<html>maintenance</html>"))
	time.Sleep(100 * time.Millisecond)
	ts.waitStatus("/v1/docs/url-doc", tok2, http.StatusOK)
	// A JWKS URL never supplies shared secrets.
	idp.set(jwksOf(t, []auth.Secret{{ID: "leaked", Key: []byte(strings.Repeat("s", 40))}}, nil))
	time.Sleep(100 * time.Millisecond)
	leaked := mintWith(t, auth.SigningKey{ID: "leaked", Secret: []byte(strings.Repeat("s", 40))}, "url-doc")
	ts.waitStatus("/v1/docs/url-doc", leaked, http.StatusUnauthorized)
	ts.waitStatus("/v1/docs/url-doc", tok2, http.StatusOK)
}

func TestPEMPublicKeysWithKidAreReloaded(t *testing.T) {
	dir := t.TempDir()
	pemFile := filepath.Join(dir, "keys.pem")
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	writeAtomically(t, pemFile, publicPEM(t, "p1", k1))
	ts := startServer(t, "", func(c *Config) {
		c.JWTSecret = ""
		c.JWTPublicKeys = pemFile
		c.Security.JWKSRefresh = 20 * time.Millisecond
	})
	tok1 := mintWith(t, auth.SigningKey{ID: "p1", Private: k1}, "pem-doc")
	tok2 := mintWith(t, auth.SigningKey{ID: "p2", Private: k2}, "pem-doc")
	ts.waitStatus("/v1/docs/pem-doc", tok1, http.StatusOK)
	writeAtomically(t, pemFile, append(publicPEM(t, "p1", k1), publicPEM(t, "p2", k2)...))
	ts.waitStatus("/v1/docs/pem-doc", tok2, http.StatusOK)
	writeAtomically(t, pemFile, publicPEM(t, "p2", k2))
	ts.waitStatus("/v1/docs/pem-doc", tok1, http.StatusUnauthorized)
	ts.waitStatus("/v1/docs/pem-doc", tok2, http.StatusOK)
}

func publicPEM(t *testing.T, kid string, k *ecdsa.PrivateKey) []byte {
	t.Helper()
	out, err := auth.EncodePublicKeyPEM(auth.PublicKey{ID: kid, Key: k.Public()})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
