package server

import (
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/server/auth"
	"github.com/meridian-sync/meridian/server/protocol"
)

// closeOf reads until the connection closes and returns the close frame; it fails if the connection stays
// open for 20 s or ends without one.
func (c *client) closeOf() *websocket.CloseError {
	c.t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		_, _, err := c.conn.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			c.t.Fatalf("want a close frame, got %v", err)
		}
		return ce
	}
}

// stillOpen checks that c answers a sync step 1.
func (c *client) stillOpen(who string) {
	c.t.Helper()
	c.send(protocol.EncodeSyncStep1([]byte{0}))
	c.expect(who+"'s answer", isSync(protocol.SyncStep2))
}

func TestRetiringAKeyClosesTheConnectionsItVerified(t *testing.T) {
	jwksFile := filepath.Join(t.TempDir(), "keys.jwks")
	old := auth.Secret{ID: "hs-old", Key: []byte(strings.Repeat("o", 48))}
	next := auth.Secret{ID: "hs-next", Key: []byte(strings.Repeat("n", 48))}
	writeAtomically(t, jwksFile, jwksOf(t, []auth.Secret{old}, nil))
	ts := startServer(t, "", func(c *Config) {
		c.JWTSecret = ""
		c.JWKSFile = jwksFile
		c.Security.JWKSRefresh = 20 * time.Millisecond
	})
	oldTok := mintWith(t, auth.SigningKey{ID: old.ID, Secret: old.Key}, "*")
	newTok := mintWith(t, auth.SigningKey{ID: next.ID, Secret: next.Key}, "*")

	onOld := ts.connect("rotating", "token="+oldTok)
	onOld.handshake()
	// Overlap: both keys in force; a client moves to the new key.
	writeAtomically(t, jwksFile, jwksOf(t, []auth.Secret{old, next}, nil))
	ts.waitStatus("/v1/docs/rotating", newTok, http.StatusOK)
	onNew := ts.connect("rotating", "token="+newTok)
	onNew.handshake()
	onOld.stillOpen("the old key's connection during the overlap")

	// The old key is retired: its connection ends with 4401 and says why, within one reload.
	writeAtomically(t, jwksFile, jwksOf(t, []auth.Secret{next}, nil))
	ce := onOld.closeOf()
	if ce.Code != CloseUnauthorized || !strings.Contains(ce.Text, "key that signed this token was retired") {
		t.Fatalf("close %d %q, want %d and the retired key named as the reason", ce.Code, ce.Text, CloseUnauthorized)
	}
	onNew.stillOpen("the new key's connection")
	again := ts.connect("rotating", "token="+newTok)
	again.handshake()
	if c, err := ts.dial("rotating", "token="+oldTok); err == nil {
		c.expectClose(CloseUnauthorized) // and the old token cannot come back
	}

	_, metrics := ts.request(http.MethodGet, "/metrics", "", nil)
	if got := grepLines(string(metrics), `reason="key_retired"`); got != `meridian_refusals_total{reason="key_retired"} 1` {
		t.Errorf("metric: %q", got)
	}
	if logs := ts.logs.String(); !strings.Contains(logs, `removed=[hs-old]`) || !strings.Contains(logs, "closed_connections=1") {
		t.Errorf("the key reload's audit line does not count the closed connection:\n%s", grepLines(logs, "keys.reload"))
	}
}

// A token without a kid is checked against every key of its algorithm: the connection ends exactly when the
// key that verified it is retired, not when another one is.
func TestRetiringAKeyClosesKidlessConnectionsOfThatKeyOnly(t *testing.T) {
	jwksFile := filepath.Join(t.TempDir(), "keys.jwks")
	a := auth.Secret{ID: "a", Key: []byte(strings.Repeat("a", 48))}
	b := auth.Secret{ID: "b", Key: []byte(strings.Repeat("b", 48))}
	writeAtomically(t, jwksFile, jwksOf(t, []auth.Secret{a, b}, nil))
	ts := startServer(t, "", func(c *Config) {
		c.JWTSecret = ""
		c.JWKSFile = jwksFile
		c.Security.JWKSRefresh = 20 * time.Millisecond
	})
	byA := ts.connect("kidless", "token="+mintWith(t, auth.SigningKey{Secret: a.Key}, "*"))
	byA.handshake()
	byB := ts.connect("kidless", "token="+mintWith(t, auth.SigningKey{Secret: b.Key}, "*"))
	byB.handshake()

	writeAtomically(t, jwksFile, jwksOf(t, []auth.Secret{b}, nil))
	if ce := byA.closeOf(); ce.Code != CloseUnauthorized {
		t.Fatalf("close %d %q, want %d", ce.Code, ce.Text, CloseUnauthorized)
	}
	byB.stillOpen("the connection of the key kept")
}
