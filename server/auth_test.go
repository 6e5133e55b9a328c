package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/server/auth"
	"github.com/meridian-sync/meridian/server/protocol"
)

func TestWebSocketAuthRefusals(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.JWTAudience = "meridian" })
	good := auth.Claims{RegisteredClaims: jwt.RegisteredClaims{Audience: jwt.ClaimStrings{"meridian"},
		ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}, Docs: []auth.Grant{{Pattern: "d", Perm: "write"}}}
	sign := func(m jwt.SigningMethod, key any, c auth.Claims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	expired := good
	expired.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
	wrongAud := good
	wrongAud.Audience = jwt.ClaimStrings{"other"}
	cases := map[string]struct {
		doc, token string
		code       int
	}{
		"missing":       {"d", "", CloseUnauthorized},
		"expired":       {"d", sign(jwt.SigningMethodHS256, []byte(testSecret), expired), CloseUnauthorized},
		"bad signature": {"d", sign(jwt.SigningMethodHS256, []byte("wrong-secret-wrong-secret-wrong-secret"), good), CloseUnauthorized},
		"alg none":      {"d", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good), CloseUnauthorized},
		"wrong aud":     {"d", sign(jwt.SigningMethodHS256, []byte(testSecret), wrongAud), CloseUnauthorized},
		"other doc":     {"other", sign(jwt.SigningMethodHS256, []byte(testSecret), good), CloseForbidden},
		"bad doc id":    {"bad%20id", sign(jwt.SigningMethodHS256, []byte(testSecret), good), CloseBadDocID},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			q := ""
			if c.token != "" {
				q = "token=" + c.token
			}
			cl := ts.connect(c.doc, q)
			cl.t = t
			seen := cl.expectClose(c.code)
			if c.code == CloseUnauthorized || c.code == CloseForbidden {
				if len(seen) != 1 || seen[0].Type != protocol.MessageAuth || seen[0].Reason == "" {
					t.Fatalf("want a permission-denied message first, got %+v", seen)
				}
			}
		})
	}
	// The accepted token works.
	ok := ts.connect("d", "token="+sign(jwt.SigningMethodHS256, []byte(testSecret), good))
	ok.handshake()
	// Tokens never reach the log, even those given in the URL.
	for _, c := range cases {
		if c.token != "" && strings.Contains(ts.logs.String(), c.token) {
			t.Fatal("a token appears in the server log")
		}
	}
}

func TestReadOnlyUpdatesAppearNowhere(t *testing.T) {
	ts := startServer(t, "", nil)
	writer := ts.connect("d", "token="+token(t, "write", false, false, "d"))
	writer.handshake()
	writer.send(protocol.EncodeSyncUpdate(textUpdate(t, 1, "base")))
	writer.expect("echo", isSync(protocol.SyncUpdate))

	reader := ts.connect("d", "token="+token(t, "read", false, false, "d"))
	state := reader.handshake()
	// A stock client answers the server's step 1 with a step 2 holding what the server lacks: nothing here,
	// plus its delete set. That must be accepted silently.
	reader.send(protocol.EncodeSyncStep2([]byte{0, 0}))
	reader.send(protocol.EncodeSyncStep2(state))
	// Its presence is not forwarded, only echoed to itself.
	reader.send(protocol.EncodeAwarenessMessage(protocol.EncodeAwarenessUpdate([]protocol.AwarenessEntry{{ClientID: 77, Clock: 1, State: `{"spy":true}`}})))
	reader.expect("own awareness echo", func(m protocol.Message) bool { return m.Type == protocol.MessageAwareness })
	// Now a real edit: refused with a reason, then closed.
	reader.send(protocol.EncodeSyncUpdate(textUpdate(t, 2, "EVIL")))
	seen := reader.expectClose(CloseForbidden)
	if len(seen) == 0 || seen[len(seen)-1].Type != protocol.MessageAuth {
		t.Fatalf("no permission-denied message before the close: %+v", seen)
	}
	// The writer saw neither the edit nor the presence.
	writer.send(protocol.EncodeQueryAwareness())
	m := writer.expect("awareness", func(m protocol.Message) bool {
		if m.Type == protocol.MessageSync && m.Sync.Type == protocol.SyncUpdate {
			t.Fatalf("read-only update was broadcast")
		}
		return m.Type == protocol.MessageAwareness
	})
	if entries, _ := protocol.DecodeAwarenessUpdate(m.Awareness); len(entries) != 0 {
		t.Fatalf("read-only presence stored: %+v", entries)
	}
	status, body := ts.request("GET", "/v1/docs/d", token(t, "read", false, false, "d"), nil)
	if status != 200 || !strings.Contains(string(body), `"base"`) {
		t.Fatalf("document changed by a read-only client: %d %s", status, body)
	}
	// With presence, a read-only client's awareness is shared.
	viewer := ts.connect("d", "token="+token(t, "read", true, false, "d"))
	viewer.handshake()
	viewer.send(protocol.EncodeAwarenessMessage(protocol.EncodeAwarenessUpdate([]protocol.AwarenessEntry{{ClientID: 78, Clock: 1, State: `{"v":1}`}})))
	writer.expect("viewer presence", func(m protocol.Message) bool {
		e, _ := protocol.DecodeAwarenessUpdate(m.Awareness)
		return m.Type == protocol.MessageAwareness && len(e) == 1 && e[0].ClientID == 78
	})
}

func TestTokenExpiryEndsConnection(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.JWTLeeway = time.Millisecond })
	tok, err := auth.Mint([]byte(testSecret), auth.MintRequest{Grants: []auth.Grant{{Pattern: "d", Perm: "write"}}, TTL: 1500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := ts.connect("d", "token="+tok)
	c.handshake()
	c.expectClose(CloseUnauthorized)
}

func TestTokenInSubprotocolOrHeader(t *testing.T) {
	ts := startServer(t, "", nil)
	tok := token(t, "write", false, false, "d")
	url := "ws" + strings.TrimPrefix(ts.http.URL, "http") + "/ws/d"
	dialer := websocket.Dialer{Subprotocols: []string{auth.Subprotocol, auth.SubprotocolPrefix + tok}}
	conn, _, err := dialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if conn.Subprotocol() != auth.Subprotocol {
		t.Fatalf("selected subprotocol %q; the server must never echo the token", conn.Subprotocol())
	}
	(&client{t: t, conn: conn}).handshake()

	conn2, _, err := websocket.DefaultDialer.Dial(url, http.Header{"Authorization": {"Bearer " + tok}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	(&client{t: t, conn: conn2}).handshake()
}
