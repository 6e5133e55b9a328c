package server

import (
	"errors"
	"io"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/server/auth"
	"github.com/meridian-sync/meridian/server/protocol"
)

// session is one WebSocket connection. Its reader goroutine parses frames and posts them to the room; its
// writer goroutine owns all writes (gorilla allows one concurrent writer) and the keepalive pings.
type session struct {
	srv       *Server
	conn      *websocket.Conn
	room      *room
	docID     string
	access    auth.Access
	principal *auth.Principal
	ext       protocol.Extensions
	abuse     *abuseTicket // the subject's and address's shared budgets (abuse.go); nil: unlimited

	out     chan []byte   // bounded: a client that cannot keep up is cut off, never buffered without end
	closing chan struct{} // closed by close()
	once    sync.Once
	code    int
	reason  string
}

func newSession(srv *Server, conn *websocket.Conn, r *room, p *auth.Principal, access auth.Access, ext protocol.Extensions) *session {
	return &session{srv: srv, conn: conn, room: r, docID: r.id, access: access, principal: p, ext: ext,
		out: make(chan []byte, srv.cfg.Limits.SendQueue), closing: make(chan struct{})}
}

// send queues a frame. It never blocks: a full queue means the client is too slow, and it is cut off.
func (s *session) send(frame []byte) {
	select {
	case <-s.closing:
		return
	default:
	}
	select {
	case s.out <- frame:
	default:
		s.srv.metrics.refusals.WithLabelValues("slow_client").Inc()
		s.close(CloseSlowClient, "too slow to receive updates")
	}
}

// close asks the writer to send a close frame with code and reason, then drop the connection.
func (s *session) close(code int, reason string) {
	s.once.Do(func() {
		s.code, s.reason = code, reason
		close(s.closing)
	})
}

// refuse counts a refusal, tells the client why with an auth message when it is about permissions, and closes.
func (s *session) refuse(r refusal) {
	s.srv.metrics.refusals.WithLabelValues(r.metric).Inc()
	s.srv.log.Info("connection refused", "doc", s.docID, "sub", s.principal.Subject, "reason", r.metric)
	if r.code == CloseForbidden || r.code == CloseUnauthorized {
		select {
		case s.out <- protocol.EncodePermissionDenied(r.reason):
		default:
		}
	}
	s.close(r.code, r.reason)
}

// serve runs the connection until it ends, then leaves the room and releases it.
func (s *session) serve() {
	s.srv.metrics.connections.Inc()
	defer s.srv.metrics.connections.Dec()
	s.room.post(roomEvent{kind: evJoin, s: s})
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		s.writeLoop()
	}()
	s.readLoop()
	s.close(websocket.CloseNormalClosure, "")
	<-writerDone
	s.room.post(roomEvent{kind: evLeave, s: s})
	s.srv.hub.release(s.room, true)
}

func (s *session) readLoop() {
	lim := s.srv.cfg.Limits
	bucket := newTokenBucket(lim.UpdatesPerSecond, lim.UpdateBurst, time.Now())
	pongWait := 2 * lim.PingInterval
	_ = s.conn.SetReadDeadline(time.Now().Add(pongWait))
	s.conn.SetPongHandler(func(string) error { return s.conn.SetReadDeadline(time.Now().Add(pongWait)) })
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
		s.srv.metrics.bytes.WithLabelValues("in").Add(float64(len(frame)))
		s.srv.metrics.messages.WithLabelValues("in", messageTypeName(frame)).Inc()
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
		case s.room.inbox <- roomEvent{kind: evFrame, s: s, msg: &msg}:
		case <-s.closing:
			return
		}
	}
}

func (s *session) writeLoop() {
	lim := s.srv.cfg.Limits
	ping := time.NewTicker(lim.PingInterval)
	defer ping.Stop()
	var expiry <-chan time.Time
	if !s.principal.ExpiresAt.IsZero() {
		t := time.NewTimer(time.Until(s.principal.ExpiresAt))
		defer t.Stop()
		expiry = t.C
	}
	defer s.conn.Close()
	for {
		select {
		case frame := <-s.out:
			if err := s.write(frame); err != nil {
				s.dropAfterWriteError(err)
				return
			}
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(lim.WriteTimeout)); err != nil {
				return
			}
		case <-expiry:
			s.refuse(refusal{CloseUnauthorized, "token_expired", "token expired"})
		case <-s.closing:
			s.flushAndClose()
			return
		}
	}
}

func (s *session) write(frame []byte) error {
	_ = s.conn.SetWriteDeadline(time.Now().Add(s.srv.cfg.Limits.WriteTimeout))
	if err := s.conn.WriteMessage(websocket.BinaryMessage, frame); err != nil {
		return err
	}
	s.srv.metrics.bytes.WithLabelValues("out").Add(float64(len(frame)))
	s.srv.metrics.messages.WithLabelValues("out", messageTypeName(frame)).Inc()
	return nil
}

func (s *session) dropAfterWriteError(err error) {
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		s.srv.metrics.refusals.WithLabelValues("write_timeout").Inc()
	}
	s.close(CloseSlowClient, "write timeout")
}

// flushAndClose sends what is already queued (a permission-denied message, typically) and the close frame.
func (s *session) flushAndClose() {
	for s.code != CloseSlowClient {
		select {
		case frame := <-s.out:
			if s.write(frame) != nil {
				return
			}
			continue
		default:
		}
		break
	}
	reason := s.reason
	if len(reason) > closeReasonMaxBytes {
		reason = reason[:closeReasonMaxBytes]
	}
	_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(s.code, reason),
		time.Now().Add(time.Second))
}
