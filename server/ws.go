package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/server/auth"
	"github.com/meridian-sync/meridian/server/protocol"
	"github.com/meridian-sync/meridian/server/store"
)

// Idle connections should cost little memory: a small read buffer, and write buffers borrowed from a pool
// only while a write is in progress.
var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 4096,
	WriteBufferPool: &sync.Pool{},
	// Access is decided by the token, never by cookies, so a cross-origin page gains nothing it could not do
	// with its own token: accept every origin.
	CheckOrigin:  func(*http.Request) bool { return true },
	Subprotocols: []string{auth.Subprotocol},
}

// handleWS serves /ws/{doc}. Refusals happen after the upgrade, with a 44xx close code and reason: a browser
// cannot see a refused upgrade's status and would retry forever.
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	// y-websocket puts the room name in the path unescaped; the id alphabet has no '%', so the raw path is it.
	docID := strings.TrimPrefix(r.URL.EscapedPath(), "/ws/")
	token, tokenErr := auth.TokenFromRequest(r)
	ext, extErr := protocol.ParseExtensions(r.URL.Query().Get(protocol.ExtensionParam))
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // gorilla has answered with an HTTP error
	}
	s.conns.Add(1)
	handedOff := false // once the session runs, its goroutine owns the count and the ticket
	defer func() {
		if !handedOff {
			s.conns.Add(-1)
		}
	}()
	refuse := func(code int, metric, reason string) { s.refuseConn(conn, code, metric, reason) }
	if err := ValidateDocID(docID); err != nil {
		refuse(CloseBadDocID, "bad_doc_id", err.Error())
		return
	}
	if extErr != nil {
		refuse(CloseMalformed, "bad_extension", extErr.Error())
		return
	}
	if s.conns.Load() > int64(s.cfg.Limits.MaxConnections) {
		refuse(CloseOverloaded, "node_connection_limit", "node connection limit reached, retry later")
		return
	}
	if tokenErr != nil {
		refuse(CloseUnauthorized, "bad_token", tokenErr.Error())
		return
	}
	p, err := s.verifier.Verify(token)
	if err != nil {
		refuse(CloseUnauthorized, "bad_token", authReason(err))
		return
	}
	access := p.Access(docID)
	if !access.Read {
		refuse(CloseForbidden, "doc_not_granted", "the token does not grant this document")
		return
	}
	ticket, limited := s.sec.abuse.admit(p.Subject, remoteIP(r))
	if limited != nil {
		refuse(limited.code, limited.metric, limited.reason)
		return
	}
	defer func() {
		if !handedOff {
			ticket.release()
		}
	}()
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	room, err := s.hub.acquire(ctx, docID, true)
	cancel()
	switch {
	case errors.Is(err, store.ErrDeleted):
		refuse(CloseDeleted, "deleted", "document deleted")
		return
	case errors.Is(err, errDocFull):
		refuse(CloseOverloaded, "doc_connection_limit", "document connection limit reached, retry later")
		return
	case errors.Is(err, errShuttingDown):
		refuse(CloseGoingAway, "shutting_down", "server shutting down")
		return
	case err != nil:
		refuse(CloseInternal, "load_failed", "document could not be loaded, retry later")
		return
	}
	sess := newSession(s, conn, room, p, access, ext)
	sess.abuse = ticket
	// The session runs on a goroutine of its own and this handler returns: net/http then drops its state
	// for the hijacked connection (request, response, buffered reader and writer, a few KB per connection
	// that would otherwise live as long as the WebSocket).
	handedOff = true
	go func() {
		defer s.conns.Add(-1)
		defer ticket.release()
		sess.serve()
	}()
}

// authReason is the text of a verification error without the package prefix.
func authReason(err error) string {
	if errors.Is(err, auth.ErrMissingToken) {
		return "a token is required"
	}
	msg := err.Error()
	if i := strings.Index(msg, "invalid token: "); i >= 0 {
		return msg[i+len("invalid token: "):]
	}
	return "invalid token"
}

// refuseConn closes a connection that never joined a room.
func (s *Server) refuseConn(conn *websocket.Conn, code int, metric, reason string) {
	s.metrics.refusals.WithLabelValues(metric).Inc()
	s.log.Info("connection refused", "reason", metric)
	deadline := time.Now().Add(time.Second)
	_ = conn.SetWriteDeadline(deadline)
	if code == CloseUnauthorized || code == CloseForbidden {
		_ = conn.WriteMessage(websocket.BinaryMessage, protocol.EncodePermissionDenied(reason))
	}
	if len(reason) > closeReasonMaxBytes {
		reason = reason[:closeReasonMaxBytes]
	}
	_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), deadline)
	// Give the client a moment to read the close frame before the TCP connection goes away.
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	for {
		if _, _, err := conn.NextReader(); err != nil {
			break
		}
	}
	conn.Close()
}
