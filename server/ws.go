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

// handleWS serves /ws/{doc}. Everything that can refuse the connection without loading the document (the id,
// the extensions, the node's connection limit, the token, the grant, the abuse limits) is decided before the
// upgrade, so a refused client costs no more than its handshake; the refusal itself is still sent after the
// upgrade, as a 44xx close code and reason, because a browser cannot see a refused upgrade's status and would
// retry forever. A bad id in a request that is not a WebSocket handshake at all gets the same sentence as
// an HTTP 400, as on /v1/docs.
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	// y-websocket puts the room name in the path unescaped; the id alphabet has no '%', so the raw path is it.
	docID := strings.TrimPrefix(r.URL.EscapedPath(), "/ws/")
	p, access, ticket, refused := s.admitWS(r, docID)
	if refused != nil && refused.code == CloseBadDocID && !websocket.IsWebSocketUpgrade(r) {
		s.metrics.refusals.WithLabelValues(refused.metric).Inc()
		writeError(w, http.StatusBadRequest, refused.reason)
		return
	}
	ext, _ := protocol.ParseExtensions(r.URL.Query().Get(protocol.ExtensionParam)) // checked by admitWS
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		ticket.release()
		return // gorilla has answered with an HTTP error
	}
	s.conns.Add(1)
	handedOff := false // once the session runs, its goroutine owns the count and the ticket
	defer func() {
		if !handedOff {
			s.conns.Add(-1)
			ticket.release()
		}
	}()
	refuse := func(code int, metric, reason string) { s.refuseConn(conn, code, metric, reason) }
	if refused != nil {
		refuse(refused.code, refused.metric, refused.reason)
		return
	}
	if s.conns.Load() > int64(s.cfg.Limits.MaxConnections) {
		refuse(CloseOverloaded, "node_connection_limit", "node connection limit reached, retry later")
		return
	}
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

// admitWS decides, before the upgrade, whether a WebSocket to docID may open: it verifies the token and takes
// the abuse limits' place (the ticket, to release if the connection does not become a session). A refusal
// carries the close code, metric and reason to send once upgraded.
func (s *Server) admitWS(r *http.Request, docID string) (*auth.Principal, auth.Access, *abuseTicket, *refusal) {
	no := func(code int, metric, reason string) (*auth.Principal, auth.Access, *abuseTicket, *refusal) {
		return nil, auth.Access{}, nil, &refusal{code, metric, reason}
	}
	if err := ValidateDocID(docID); err != nil {
		return no(CloseBadDocID, "bad_doc_id", err.Error())
	}
	if _, err := protocol.ParseExtensions(r.URL.Query().Get(protocol.ExtensionParam)); err != nil {
		return no(CloseMalformed, "bad_extension", err.Error())
	}
	// The node limit is checked here as a fast path and again after the upgrade, where the count is taken.
	if s.conns.Load() >= int64(s.cfg.Limits.MaxConnections) {
		return no(CloseOverloaded, "node_connection_limit", "node connection limit reached, retry later")
	}
	token, err := auth.TokenFromRequest(r)
	if err != nil {
		return no(CloseUnauthorized, "bad_token", err.Error())
	}
	p, err := s.verifier.Verify(token)
	if err != nil {
		return no(CloseUnauthorized, "bad_token", authReason(err))
	}
	access := p.Access(docID)
	if !access.Read {
		return no(CloseForbidden, "doc_not_granted", "the token does not grant this document")
	}
	ticket, limited := s.sec.abuse.admit(p.Subject, remoteIP(r))
	if limited != nil {
		return no(limited.code, limited.metric, limited.reason)
	}
	return p, access, ticket, nil
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
	s.quiet.Info("connection refused", "reason", metric) // a flood of bad handshakes: one line per window
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
