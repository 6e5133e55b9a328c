package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/server/auth"
	"github.com/meridian-sync/meridian/server/protocol"
)

const testSecret = "test-secret-test-secret-test-secret-!!"

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testServer struct {
	t    testing.TB
	srv  *Server
	http *httptest.Server
	logs *syncBuffer
	dir  string
}

func startServer(t testing.TB, dir string, tweak func(*Config)) *testServer {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	logs := &syncBuffer{}
	cfg := Config{DataDir: dir, Listen: ":0", JWTSecret: testSecret, Region: "test-region", Node: "node-1",
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{t: t, srv: srv, http: httptest.NewServer(srv.Handler()), logs: logs, dir: dir}
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		ts.t.Errorf("shutdown: %v", err)
	}
	ts.http.Close()
}

func token(t *testing.T, perm string, presence, admin bool, patterns ...string) string {
	t.Helper()
	opts := TokenOptions{Secret: testSecret, Docs: patterns, Perm: perm, Presence: presence, Admin: admin, TTL: time.Hour}
	tok, err := opts.Mint()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// client is a test WebSocket client.
type client struct {
	t    testing.TB
	conn *websocket.Conn
}

func (ts *testServer) dial(doc, query string) (*client, error) {
	url := "ws" + strings.TrimPrefix(ts.http.URL, "http") + "/ws/" + doc
	if query != "" {
		url += "?" + query
	}
	conn, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	// The cleanup also keeps the connection reachable for the whole test: a collected *websocket.Conn would
	// close its socket, and the server would see a client leave that the test still counts on.
	ts.t.Cleanup(func() { conn.Close() })
	return &client{t: ts.t, conn: conn}, nil
}

func (ts *testServer) connect(doc, query string) *client {
	ts.t.Helper()
	c, err := ts.dial(doc, query)
	if err != nil {
		ts.t.Fatal(err)
	}
	return c
}

func (c *client) send(frame []byte) {
	c.t.Helper()
	if err := c.conn.WriteMessage(websocket.BinaryMessage, frame); err != nil {
		c.t.Fatal(err)
	}
}

// next reads the next message, or returns the close error.
func (c *client) next() (protocol.Message, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, frame, err := c.conn.ReadMessage()
	if err != nil {
		return protocol.Message{}, err
	}
	return protocol.DecodeMessage(frame)
}

// expect reads until a message satisfying match arrives.
func (c *client) expect(what string, match func(protocol.Message) bool) protocol.Message {
	c.t.Helper()
	for {
		m, err := c.next()
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", what, err)
		}
		if match(m) {
			return m
		}
	}
}

// expectClose reads until the connection closes and checks the code; it returns the messages seen before.
func (c *client) expectClose(code int) []protocol.Message {
	c.t.Helper()
	var seen []protocol.Message
	for {
		m, err := c.next()
		if err == nil {
			seen = append(seen, m)
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			c.t.Fatalf("want close %d, got %v", code, err)
		}
		if ce.Code != code {
			c.t.Fatalf("close code %d (%q), want %d", ce.Code, ce.Text, code)
		}
		return seen
	}
}

func isSync(t protocol.SyncType) func(protocol.Message) bool {
	return func(m protocol.Message) bool { return m.Type == protocol.MessageSync && m.Sync.Type == t }
}

// handshake performs the client side of the y-websocket opening with an empty document and returns the
// server's step 2 (the document state).
func (c *client) handshake() []byte {
	c.t.Helper()
	c.expect("server step 1", isSync(protocol.SyncStep1))
	c.send(protocol.EncodeSyncStep1([]byte{0}))
	return c.expect("server step 2", isSync(protocol.SyncStep2)).Sync.Payload
}

// textUpdate returns an update inserting s into root text "t", made by a fresh client doc.
func textUpdate(t *testing.T, clientID uint64, s string) []byte {
	t.Helper()
	d := crdt.NewDoc(crdt.WithClientID(clientID))
	var u []byte
	d.OnUpdate(func(b []byte, _ any) { u = b })
	if err := d.GetText("t").Insert(0, s, nil); err != nil {
		t.Fatal(err)
	}
	return u
}

func textOf(t *testing.T, update []byte) string {
	t.Helper()
	d := crdt.NewDoc()
	if err := d.ApplyUpdate(update); err != nil {
		t.Fatal(err)
	}
	return d.GetText("t").String()
}

// postWithHeaders is an HTTP request to the server that returns the response headers.
func (ts *testServer) postWithHeaders(method, path, tok string, body []byte) (int, http.Header, string) {
	ts.t.Helper()
	req, _ := http.NewRequest(method, ts.http.URL+path, bytes.NewReader(body))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// request is postWithHeaders without the headers.
func (ts *testServer) request(method, path, tok string, body []byte) (int, []byte) {
	ts.t.Helper()
	code, _, b := ts.postWithHeaders(method, path, tok, body)
	return code, []byte(b)
}

var _ = auth.PermRead
