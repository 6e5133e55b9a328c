package server

import (
	"crypto/tls"
	"encoding/binary"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// directSession is a session over a real WebSocket whose client end the test reads itself.
func directSession(t *testing.T, tweak func(*Config)) (*session, *websocket.Conn) {
	t.Helper()
	ts := startServer(t, "", tweak)
	srv, cl := wsPair(t)
	s := &session{srv: ts.srv, conn: srv, raw: rawConnOf(srv.NetConn()), closing: make(chan struct{}), torn: make(chan struct{})}
	if s.raw == nil {
		t.Fatal("a plain TCP connection has no raw socket for direct writes")
	}
	return s, cl
}

func numbered(i, size int) []byte {
	f := payloadOf(size, byte(i))
	binary.BigEndian.PutUint32(f, uint32(i))
	return f
}

func expectNumbered(t *testing.T, cl *websocket.Conn, from, to, size int) {
	t.Helper()
	_ = cl.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i := from; i < to; i++ {
		_, got, err := cl.ReadMessage()
		if err != nil {
			t.Fatalf("reading frame %d: %v", i, err)
		}
		if want := numbered(i, size); string(got) != string(want) {
			t.Fatalf("frame %d arrived as frame %d (%d bytes), want %d bytes", i, binary.BigEndian.Uint32(got), len(got), len(want))
		}
	}
}

// TestUncorkWritesDirectly: frames the room queued are written by uncork itself, in order, without starting a
// writer goroutine.
func TestUncorkWritesDirectly(t *testing.T) {
	s, cl := directSession(t, nil)
	for i := range 3 {
		first := s.queueCorked(numbered(i, 40))
		if first != (i == 0) {
			t.Fatalf("queueCorked #%d reported first=%v", i, first)
		}
	}
	s.uncork()
	if !writerIdle(s) {
		t.Fatal("uncork left a writer running or frames queued on a socket with room for them")
	}
	expectNumbered(t, cl, 0, 3, 40)
}

// TestDirectWriteToStalledClientHandsOverToTheWriter: a client that stops reading fills its socket; the
// direct write then leaves part of a frame unsent, and the writer goroutine must send that rest first, then
// everything queued after it, so the client gets every frame whole and in order once it reads again.
func TestDirectWriteToStalledClientHandsOverToTheWriter(t *testing.T) {
	s, cl := directSession(t, func(c *Config) { c.Limits.SendQueue = 1 << 20 })
	const size = 30_000 // not a divisor of any socket buffer size: the socket fills mid-frame
	n := 0
	for ; n < 2000; n++ {
		s.queueCorked(numbered(n, size))
		s.uncork()
		s.out.mu.Lock()
		handedOver := s.out.running
		s.out.mu.Unlock()
		if handedOver {
			n++
			break
		}
	}
	if n == 2000 {
		t.Fatal("2000 frames of 30 KB never filled the socket")
	}
	if got := counterValue(t, s.srv, "meridian_ws_writer_handoffs_total"); got != 1 {
		t.Fatalf("meridian_ws_writer_handoffs_total = %v after one hand-off, want 1", got)
	}
	for range 20 { // queued behind the writer, which waits on the socket
		s.queueCorked(numbered(n, size))
		s.uncork()
		n++
	}
	expectNumbered(t, cl, 0, n, size)
	waitFor(t, "the writer has drained the queue and exited", func() bool { return writerIdle(s) })
	// Once drained, direct writes resume.
	s.queueCorked(numbered(n, 40))
	s.uncork()
	if !writerIdle(s) {
		t.Fatal("after the stall, uncork still needed a writer")
	}
	expectNumbered(t, cl, n, n+1, 40)
}

// TestNoDirectWritesOverTLS: over TLS the bytes on the socket are records, not frames.
func TestNoDirectWritesOverTLS(t *testing.T) {
	if rawConnOf(tls.Client(nil, &tls.Config{})) != nil {
		t.Fatal("a TLS connection offered its raw socket for direct frame writes")
	}
}

// counterValue reads a counter of srv's registry.
func counterValue(t *testing.T, srv *Server, name string) float64 {
	t.Helper()
	families, err := srv.metrics.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) > 0 {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no counter %s", name)
	return 0
}
