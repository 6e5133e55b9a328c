package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/server/auth"
	"github.com/meridian-sync/meridian/server/protocol"
)

// session is one WebSocket connection. One goroutine reads: it parses frames and posts them to the room. Writes
// go through the session's outbox (session_writer.go): a writer goroutine runs only while there is something to
// write, so an idle connection costs one goroutine, not two. Keepalive pings and token expiry are runtime
// timers, not goroutines.
type session struct {
	srv       *Server
	conn      *websocket.Conn
	fd        int // the socket, for the room's direct writes (session_direct.go); -1 over TLS
	room      *room
	docID     string
	access    auth.Access
	principal *auth.Principal
	ext       protocol.Extensions
	abuse     *abuseTicket // the subject's and address's shared budgets (abuse.go); nil: unlimited

	out     outbox        // frames waiting for the writer, and the writer's state
	closing chan struct{} // closed by close(): the reader stops posting to the room
	torn    chan struct{} // closed once the writer has sent the close frame and closed the connection
	once    sync.Once
	code    int // set once by close(), read by the writer after it sees out.closing
	reason  string
}

func newSession(srv *Server, conn *websocket.Conn, r *room, p *auth.Principal, access auth.Access, ext protocol.Extensions) *session {
	return &session{srv: srv, conn: conn, fd: socketFD(conn.NetConn()), room: r, docID: r.id, access: access, principal: p, ext: ext,
		closing: make(chan struct{}), torn: make(chan struct{})}
}

// send queues a frame. It never blocks: a full queue means the client is too slow, and it is cut off.
func (s *session) send(frame []byte) { s.enqueue(frame, false) }

// close asks the writer to send what is queued (unless the client is being cut off for slowness), then a close
// frame with code and reason, then drop the connection. The first call wins.
func (s *session) close(code int, reason string) {
	s.once.Do(func() {
		s.code, s.reason = code, reason
		close(s.closing)
		s.out.mu.Lock()
		s.out.closing = true
		start := s.out.wakeLocked()
		s.out.mu.Unlock()
		if start {
			go s.writeLoop()
		}
	})
}

// refuse counts a refusal, tells the client why with an auth message when it is about permissions, and closes.
func (s *session) refuse(r refusal) {
	s.srv.metrics.refusals.WithLabelValues(r.metric).Inc()
	level := slog.LevelInfo
	if r.code == CloseStorageFull {
		level = slog.LevelDebug // the store logs the state change once; not a line per refused write
	}
	s.srv.log.Log(context.Background(), level, "connection refused", "doc", s.docID, "sub", s.principal.Subject, "reason", r.metric)
	if r.code == CloseForbidden || r.code == CloseUnauthorized {
		// Past the queue bound if need be: the reason is worth more than the bound's last slot.
		s.enqueue(protocol.EncodePermissionDenied(r.reason), true)
	}
	s.close(r.code, r.reason)
}

// serve runs the connection until it ends, then leaves the room and releases it.
func (s *session) serve() {
	s.srv.metrics.connections.Inc()
	defer s.srv.metrics.connections.Dec()
	s.startTimers()
	s.room.post(roomEvent{kind: evJoin, s: s})
	s.readLoop()
	s.close(websocket.CloseNormalClosure, "")
	<-s.torn
	s.room.post(roomEvent{kind: evLeave, s: s})
	s.srv.hub.release(s.room, true)
}

func (s *session) readLoop() {
	lim := s.srv.cfg.Limits
	bucket := newTokenBucket(lim.UpdatesPerSecond, lim.UpdateBurst, time.Now())
	pongWait := 2 * lim.PingInterval
	_ = s.conn.SetReadDeadline(time.Now().Add(pongWait))
	s.conn.SetPongHandler(func(string) error { return s.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	// Gorilla's default handlers answer pings and close frames by writing from this goroutine; the writer
	// owns the connection's writes, so both are handed to it instead.
	s.conn.SetPingHandler(func(data string) error {
		s.queuePong([]byte(data))
		return nil
	})
	s.conn.SetCloseHandler(func(int, string) error { return nil }) // serve answers with 1000 once this loop ends
	for {
		kind, rd, err := s.conn.NextReader()
		if err != nil {
			return
		}
		// Read one byte past the limit instead of using gorilla's read limit, which would close with 1009:
		// y-websocket reconnects on 1009 and resends the same message forever.
		frame, err := io.ReadAll(io.LimitReader(rd, int64(lim.MaxMessageBytes)+1))
		if err != nil {
			return
		}
		s.srv.metrics.countIn(frame)
		switch {
		case len(frame) > lim.MaxMessageBytes:
			s.refuse(refusal{CloseTooLarge, "message_too_large", "message size limit reached"})
			return
		case kind != websocket.BinaryMessage:
			s.refuse(refusal{CloseMalformed, "text_frame", "binary frames only"})
			return
		case !bucket.allow(time.Now()):
			s.refuse(refusal{CloseRateLimited, "rate_limited", "message rate limit reached"})
			return
		}
		if limited := s.abuse.allowMessage(time.Now()); limited != nil {
			s.refuse(*limited)
			return
		}
		msg, err := protocol.DecodeMessage(frame)
		if err != nil {
			s.refuse(refuseMalformed)
			return
		}
		select {
		case s.room.inbox <- roomEvent{kind: evFrame, s: s, msg: &msg, at: time.Now()}:
		case <-s.closing:
			return
		}
	}
}

func (s *session) dropAfterWriteError(err error) {
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		s.srv.metrics.refusals.WithLabelValues("write_timeout").Inc()
	}
	s.close(CloseSlowClient, "write timeout")
}
