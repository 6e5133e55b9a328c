package client_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/meridian-sync/meridian/client"
	"github.com/meridian-sync/meridian/crdt"
)

// hsKey is one HS256 signing key with its key id. The test writes keys and tokens itself, as an identity
// provider would: the client package may not import the server's auth package (DESIGN.md §2).
type hsKey struct {
	ID  string
	Key []byte
}

// writeJWKS writes the HS256 secrets as a JWKS file, atomically (the server rereads it on a schedule).
func writeJWKS(t *testing.T, path string, secrets ...hsKey) {
	t.Helper()
	type jwk struct {
		Kty string `json:"kty"`
		Kid string `json:"kid"`
		Use string `json:"use"`
		Alg string `json:"alg"`
		K   string `json:"k"`
	}
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	for _, s := range secrets {
		doc.Keys = append(doc.Keys, jwk{Kty: "oct", Kid: s.ID, Use: "sig", Alg: "HS256", K: base64.RawURLEncoding.EncodeToString(s.Key)})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".new", b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// When the key that signed a client's token is retired, the server ends its connection (4401); a client
// with a token source fetches a token of the current key and carries on, losing no edit.
func TestTokenSourceCarriesOnWhenItsKeyIsRetired(t *testing.T) {
	jwks := filepath.Join(t.TempDir(), "keys.jwks")
	old := hsKey{ID: "old", Key: []byte(strings.Repeat("o", 48))}
	next := hsKey{ID: "next", Key: []byte(strings.Repeat("n", 48))}
	writeJWKS(t, jwks, old, next)
	srv := startServerWith(t, []string{"--jwks-file", jwks, "--jwks-refresh", "50ms"}, []string{"MERIDIAN_JWT_SECRET="})

	var signer atomic.Pointer[hsKey]
	signer.Store(&old)
	var minted atomic.Int64
	source := func(context.Context) (string, error) {
		k := signer.Load()
		minted.Add(1)
		now := time.Now()
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "rotating", "iat": now.Unix(),
			"nbf": now.Add(-time.Second).Unix(), "exp": now.Add(time.Hour).Unix(),
			"docs": []map[string]string{{"pattern": "rot/*", "perm": "write"}}})
		tok.Header["kid"] = k.ID
		return tok.SignedString(k.Key)
	}
	ctx := testContext(t)
	c, err := client.Dial(ctx, srv.url(), "rot/doc", client.WithTokenSource(source), client.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var sawRetired atomic.Bool
	c.OnStatus(func(s client.Status) {
		var ce *client.CloseError
		if errors.As(s.Err, &ce) && ce.Code == 4401 && strings.Contains(ce.Reason, "retired") {
			sawRetired.Store(true)
		}
	})
	insert := func(s string) {
		t.Helper()
		err := c.Edit(func(doc *crdt.Doc) { _ = doc.GetText("t").Insert(doc.GetText("t").Len(), s, nil) })
		if err != nil {
			t.Fatal(err)
		}
		if err := c.WaitSaved(ctx); err != nil {
			t.Fatal(err)
		}
	}
	insert("before ")
	before := minted.Load()

	signer.Store(&next)
	writeJWKS(t, jwks, next)
	eventually(t, "the connection of the retired key to end", sawRetired.Load)
	insert("after")
	if minted.Load() <= before {
		t.Fatal("the token source was not asked for a new token")
	}
	var text string
	c.Read(func(doc *crdt.Doc) { text = doc.GetText("t").String() })
	if text != "before after" {
		t.Fatalf("text %q", text)
	}
	if st := c.Status(); st.State != client.StateSaved {
		t.Fatalf("state %v (%v), want saved", st.State, st.Err)
	}
}
