package server

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// directSession is a session over a real WebSocket whose client end the test reads itself.
func directSession(t *testing.T, tweak func(*Config)) (*session, *websocket.Conn) {
	t.Helper()
	ts := startServer(t, "", tweak)
	srv, cl := wsPair(t)
	s := &session{srv: ts.srv, conn: srv, fd: socketFD(srv.NetConn()), closing: make(chan struct{}), torn: make(chan struct{})}
	if s.fd < 0 {
		t.Fatal("a plain TCP connection has no raw socket for direct writes")
	}
	return s, cl
}

// uncorkAlone writes what queueCorked queued for one session, as a room's uncork does for each member.
func uncorkAlone(s *session) {
	w, ok := s.takeCorked()
	if !ok {
		return
	}
	batch := []directWrite{w}
	s.srv.direct.write(batch, nil)
	s.finishDirect(&batch[0])
}

// handedToWriter reports whether a writer goroutine owns the session's writes (a direct write left it a rest).
func handedToWriter(s *session) bool {
	s.out.mu.Lock()
	defer s.out.mu.Unlock()
	return s.out.running
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
	uncorkAlone(s)
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
		uncorkAlone(s)
		if handedToWriter(s) {
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
		uncorkAlone(s)
		n++
	}
	expectNumbered(t, cl, 0, n, size)
	waitFor(t, "the writer has drained the queue and exited", func() bool { return writerIdle(s) })
	// Once drained, direct writes resume.
	s.queueCorked(numbered(n, 40))
	uncorkAlone(s)
	if !writerIdle(s) {
		t.Fatal("after the stall, uncork still needed a writer")
	}
	expectNumbered(t, cl, n, n+1, 40)
}

// TestNoDirectWritesOverTLS: over TLS the bytes on the socket are records, not frames.
func TestNoDirectWritesOverTLS(t *testing.T) {
	if socketFD(tls.Client(nil, &tls.Config{})) >= 0 {
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

// roomOfDirectSessions is a room of n members over real WebSockets, with the clients' ends for the test.
func roomOfDirectSessions(t *testing.T, ts *testServer, n int) (*room, []*session, []*websocket.Conn) {
	t.Helper()
	r := &room{srv: ts.srv}
	var sessions []*session
	var clients []*websocket.Conn
	for range n {
		srv, cl := wsPair(t)
		sessions = append(sessions, &session{srv: ts.srv, conn: srv, fd: socketFD(srv.NetConn()), closing: make(chan struct{}), torn: make(chan struct{})})
		clients = append(clients, cl)
	}
	return r, sessions, clients
}

// TestRoomUncorkWritesEveryMember: a room's uncork writes each member's frames, in order, in one batch: through
// one io_uring submission where the kernel allows it, with write(2) per member when io_uring is off.
func TestRoomUncorkWritesEveryMember(t *testing.T) {
	for _, ring := range []bool{true, false} {
		t.Run(fmt.Sprintf("io_uring=%v", ring), func(t *testing.T) {
			ts := startServer(t, "", func(c *Config) { c.DisableIOUring = !ring })
			if ring && ts.srv.direct.rings == nil {
				if os.Getenv("CI") == "" {
					t.Skip("no io_uring on this machine")
				}
				t.Fatal("io_uring is unavailable on the CI machine, whose kernel has it")
			}
			if want := map[bool]string{true: "fanout=io_uring", false: "fanout=write"}[ring]; !strings.Contains(ts.logs.String(), want) {
				t.Fatalf("the start-up log does not say %s:\n%s", want, ts.logs.String())
			}
			r, sessions, clients := roomOfDirectSessions(t, ts, 4)
			for round := range 3 {
				for i, s := range sessions {
					r.send(s, numbered(10*i+round, 50))
				}
			}
			r.uncork()
			if len(r.corked) != 0 {
				t.Fatal("members still corked after uncork")
			}
			for i, s := range sessions {
				if !writerIdle(s) {
					t.Fatalf("member %d needed a writer although its socket had room", i)
				}
				expectNumbered(t, clients[i], 10*i, 10*i+3, 50)
			}
			batches := counterValue(t, ts.srv, "meridian_ws_ring_batches_total")
			if ring && batches != 1 {
				t.Fatalf("%v io_uring submissions for one uncork of 4 members, want 1", batches)
			}
			if !ring && batches != 0 {
				t.Fatalf("%v io_uring submissions with io_uring off", batches)
			}
		})
	}
}

// TestRoomUncorkWithAStalledMember: in a batch, a member that stopped reading fills its socket and is handed
// to its writer with the rest of a half-sent frame; the members beside it get every frame at once, and the
// stalled one gets all of its frames whole and in order once it reads again.
func TestRoomUncorkWithAStalledMember(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.Limits.SendQueue = 1 << 20 })
	r, sessions, clients := roomOfDirectSessions(t, ts, 3)
	stalled := sessions[0]
	const size = 30_000 // no divisor of a socket buffer size: the socket fills mid-frame
	n := 0
	for ; n < 2000; n++ {
		for _, s := range sessions {
			r.send(s, numbered(n, size))
		}
		r.uncork()
		for i, cl := range clients[1:] {
			if !writerIdle(sessions[i+1]) {
				t.Fatalf("healthy member %d was handed to a writer", i+1)
			}
			expectNumbered(t, cl, n, n+1, size)
		}
		if handedToWriter(stalled) {
			n++
			break
		}
	}
	if n == 2000 {
		t.Fatal("2000 frames of 30 KB never filled the stalled member's socket")
	}
	if counterValue(t, ts.srv, "meridian_ws_writer_handoffs_total") < 1 {
		t.Fatal("the hand-off to the writer was not counted")
	}
	expectNumbered(t, clients[0], 0, n, size)
	waitFor(t, "the stalled member's writer to finish", func() bool { return writerIdle(stalled) })
}

// TestLostSendEndsTheConnection: a ring send whose outcome is unknown may or may not have reached the socket,
// so the session writes nothing more, neither that batch again nor what was queued since, only a close frame
// with 4500, and the client reconnects and syncs afresh.
func TestLostSendEndsTheConnection(t *testing.T) {
	s, cl := directSession(t, nil)
	s.queueCorked(numbered(0, 40))
	w, ok := s.takeCorked()
	if !ok {
		t.Fatal("nothing taken for a direct write")
	}
	s.queueCorked(numbered(1, 40)) // queued while the lost send was out
	w.written, w.err = len(*w.buf), errSendLost
	s.finishDirect(&w)
	_ = cl.SetReadDeadline(time.Now().Add(10 * time.Second))
	kind, data, err := cl.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != CloseInternal {
		t.Fatalf("after a lost send the client read kind %d (%d bytes), err %v; want only a close frame with %d", kind, len(data), err, CloseInternal)
	}
	if counterValue(t, s.srv, "meridian_refusals_total") < 1 {
		t.Fatal("the lost send was not counted")
	}
}
