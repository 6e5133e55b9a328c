package server

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/server/protocol"
)

// countingConn counts Write calls on a connection.
type countingConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// wsPair returns the server side of a real WebSocket connection (upgraded by the server's upgrader) and a
// gorilla client connected to it.
func wsPair(t *testing.T) (server *websocket.Conn, client *websocket.Conn) {
	t.Helper()
	upgraded := make(chan *websocket.Conn, 1)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		upgraded <- c
	}))
	t.Cleanup(hs.Close)
	cl, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(hs.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	srv := <-upgraded
	t.Cleanup(func() { cl.Close(); srv.Close() })
	return srv, cl
}

func payloadOf(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i%251)
	}
	return b
}

// TestWriteBatchKeepsMessageBoundaries: frames coalesced into one write reach a standard client as the same
// messages, in order, whatever their lengths (each length encoding of RFC 6455: 7-bit, 16-bit, 64-bit), with
// a control frame among them; a small batch takes a single write call.
func TestWriteBatchKeepsMessageBoundaries(t *testing.T) {
	srv, cl := wsPair(t)
	pings := make(chan string, 4)
	cl.SetPingHandler(func(data string) error { pings <- data; return nil })

	small := [][]byte{payloadOf(0, 1), payloadOf(1, 2), payloadOf(125, 3), payloadOf(126, 4), payloadOf(3000, 5)}
	large := [][]byte{payloadOf(65535, 6), payloadOf(65536, 7), payloadOf(2, 8), payloadOf(200_000, 9)}
	counting := &countingConn{Conn: srv.NetConn()}
	ping := []controlFrame{{websocket.PingMessage, []byte("keepalive")}}
	if err := writeBatch(counting, nil, ping, small, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := counting.writes.Load(); n != 1 {
		t.Fatalf("a batch of %d small frames took %d write calls, want 1", len(small)+1, n)
	}
	done := make(chan error, 1)
	go func() { done <- writeBatch(srv.NetConn(), nil, nil, large, 5*time.Second) }() // the client reads meanwhile

	_ = cl.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i, want := range append(small, large...) {
		kind, got, err := cl.ReadMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if kind != websocket.BinaryMessage || !bytes.Equal(got, want) {
			t.Fatalf("message %d: kind %d, %d bytes; want binary, %d bytes, same content", i, kind, len(got), len(want))
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-pings:
		if p != "keepalive" {
			t.Fatalf("ping payload %q", p)
		}
	default:
		t.Fatal("the ping in the batch never reached the client")
	}
}

// TestAppendFrameHeaderLengths checks the three length encodings at their edges.
func TestAppendFrameHeaderLengths(t *testing.T) {
	for _, c := range []struct {
		n    int
		want []byte
	}{
		{0, []byte{0x82, 0}},
		{125, []byte{0x82, 125}},
		{126, []byte{0x82, 126, 0, 126}},
		{65535, []byte{0x82, 126, 0xff, 0xff}},
		{65536, []byte{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
	} {
		if got := appendFrameHeader(nil, websocket.BinaryMessage, c.n); !bytes.Equal(got, c.want) {
			t.Errorf("header of %d bytes: % x, want % x", c.n, got, c.want)
		}
	}
}

// sessionsOf returns the sessions of a loaded document, read on its room goroutine.
func sessionsOf(t *testing.T, ts *testServer, doc string) []*session {
	t.Helper()
	ts.srv.hub.mu.Lock()
	r := ts.srv.hub.mu.rooms[doc]
	ts.srv.hub.mu.Unlock()
	if r == nil {
		t.Fatalf("document %s is not loaded", doc)
	}
	var out []*session
	r.call(func(r *room) {
		for s := range r.members {
			out = append(out, s)
		}
	})
	return out
}

// writerIdle reports whether s has no writer goroutine and holds no queue.
func writerIdle(s *session) bool {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	return !s.out.running && s.out.frames == nil && s.out.pending == 0
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWriterStopsWhenIdleAndRestarts: once its queue is written, an idle connection has no writer goroutine
// and no queue; the next frame for it starts a writer again and arrives.
func TestWriterStopsWhenIdleAndRestarts(t *testing.T) {
	ts := startServer(t, "", nil)
	tok := "token=" + token(t, "write", false, false, "idle-doc")
	reader := ts.connect("idle-doc", tok)
	reader.handshake()
	sessions := sessionsOf(t, ts, "idle-doc")
	if len(sessions) != 1 {
		t.Fatalf("%d sessions, want 1", len(sessions))
	}
	s := sessions[0]
	waitFor(t, "the idle connection's writer has exited", func() bool { return writerIdle(s) })

	writer := ts.connect("idle-doc", tok)
	writer.handshake()
	for i, text := range []string{"first", "second"} {
		writer.send(protocol.EncodeSyncUpdate(textUpdate(t, uint64(70+i), text)))
		got := reader.expect("the broadcast of "+text, isSync(protocol.SyncUpdate))
		if s := textOf(t, got.Sync.Payload); s != text {
			t.Fatalf("reader got %q, want %q", s, text)
		}
		waitFor(t, "the writer has exited again", func() bool { return writerIdle(s) })
	}
}

// TestIdleConnectionGetsKeepalivePings: with no traffic at all, the server still pings on time (the ping
// timer starts a writer), and a client that answers stays connected well past two ping intervals.
func TestIdleConnectionGetsKeepalivePings(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.Limits.PingInterval = 40 * time.Millisecond })
	c := ts.connect("pinged", "token="+token(t, "write", false, false, "pinged"))
	c.handshake()
	var mu sync.Mutex
	pings := 0
	c.conn.SetPingHandler(func(data string) error {
		mu.Lock()
		pings++
		mu.Unlock()
		return c.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	readErr := make(chan error, 1)
	go func() {
		for {
			if _, _, err := c.conn.ReadMessage(); err != nil {
				readErr <- err
				return
			}
		}
	}()
	deadline := time.After(10 * time.Second)
	for {
		mu.Lock()
		n := pings
		mu.Unlock()
		if n >= 8 { // 8 intervals: four times the read deadline the pongs keep pushing back
			break
		}
		select {
		case err := <-readErr:
			t.Fatalf("connection ended after %d pings: %v", n, err)
		case <-deadline:
			t.Fatalf("only %d pings in 10 s with a 40 ms interval", n)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if sessions := sessionsOf(t, ts, "pinged"); len(sessions) != 1 {
		t.Fatalf("%d sessions after the pings, want 1", len(sessions))
	}
}

// TestQueueBoundCountsFramesBeingWritten: frames the writer has taken but not yet written still count against
// Limits.SendQueue, so a writer stuck on a full socket cannot hide an unbounded backlog.
func TestQueueBoundCountsFramesBeingWritten(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.Limits.SendQueue = 4 })
	s := &session{srv: ts.srv, fd: -1, closing: make(chan struct{}), torn: make(chan struct{})}
	s.out.running = true // stands for a writer busy on a blocked write: nothing drains the queue
	for i := range 3 {
		s.enqueue([]byte{byte(i)}, false)
	}
	s.out.mu.Lock()
	s.out.frames = nil // the writer took all three...
	s.out.mu.Unlock()
	s.enqueue([]byte{3}, false) // ...so one more fits (4 pending)
	select {
	case <-s.closing:
		t.Fatal("cut off below the bound")
	default:
	}
	s.enqueue([]byte{4}, false)
	select {
	case <-s.closing:
	default:
		t.Fatal("a fifth frame pending past a bound of 4 did not cut the client off")
	}
	if s.code != CloseSlowClient {
		t.Fatalf("close code %d, want %d", s.code, CloseSlowClient)
	}
}
