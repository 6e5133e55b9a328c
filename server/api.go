package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/server/auth"
	"github.com/meridian-sync/meridian/server/store"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// /ws/{doc} and /v1/docs/{id}... are routed by rawPaths, before ServeMux would clean (and redirect) them.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", s.handleReady)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /v1/docs", s.handleList)
	mux.HandleFunc("GET /v1/cluster", s.handleCluster)
	mux.HandleFunc("/v1/admin/cluster-keys", s.handleClusterKeys)
	if s.cfg.Web != nil {
		mux.Handle("/", s.cfg.Web) // no method in the pattern: other methods get the web handler's answer
	}
	return s.guard(s.rawPaths(mux))
}

func (s *Server) handleReady(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() || !s.replicationReady() {
		writeError(w, http.StatusServiceUnavailable, "not ready")
		return
	}
	if reason, down := s.storageNotReady(); down {
		writeError(w, http.StatusServiceUnavailable, reason)
		return
	}
	_, _ = io.WriteString(w, "ready\n")
}

type apiError struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) { writeJSON(w, status, apiError{msg}) }

// principal verifies the request's token; on failure it has answered and returns nil.
func (s *Server) principal(w http.ResponseWriter, r *http.Request) *auth.Principal {
	tok, err := auth.TokenFromRequest(r)
	if err == nil {
		var p *auth.Principal
		if p, err = s.verifier.Verify(tok); err == nil {
			return p
		}
	}
	s.metrics.refusals.WithLabelValues("bad_token").Inc()
	writeError(w, http.StatusUnauthorized, authReason(err))
	return nil
}

func (s *Server) admin(w http.ResponseWriter, r *http.Request) bool {
	p := s.principal(w, r)
	if p == nil {
		return false
	}
	if !p.Admin {
		s.metrics.refusals.WithLabelValues("not_admin").Inc()
		writeError(w, http.StatusForbidden, "this endpoint needs an admin token")
		return false
	}
	return true
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit must be between 1 and 1000")
			return
		}
		limit = n
	}
	docs, next, err := s.store.List(q.Get("prefix"), q.Get("cursor"), limit)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "listing failed")
		return
	}
	if docs == nil {
		docs = []store.DocInfo{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": docs, "nextCursor": next})
}

func (s *Server) handleCluster(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	writeJSON(w, http.StatusOK, s.clusterAnswer())
}

// docPath splits /v1/docs/{id}[/update]. A document whose id ends in "/update" is reached by escaping its
// slashes (%2F): the id is unescaped only after the split.
func docPath(r *http.Request) (id string, update bool, err error) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), "/v1/docs/")
	if trimmed, ok := strings.CutSuffix(rest, "/update"); ok {
		rest, update = trimmed, true
	}
	if id, err = url.PathUnescape(rest); err != nil {
		return "", false, err
	}
	return id, update, ValidateDocID(id)
}

func (s *Server) handleDoc(w http.ResponseWriter, r *http.Request) {
	id, isUpdate, err := docPath(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	switch {
	case r.Method == http.MethodGet && !isUpdate:
		s.withRead(w, r, id, func(rm *room) (int, any) { return http.StatusOK, rm.doc.ToJSON() })
	case r.Method == http.MethodGet && isUpdate:
		s.getUpdate(w, r, id)
	case r.Method == http.MethodPost && isUpdate:
		s.postUpdate(w, r, id)
	case r.Method == http.MethodDelete && !isUpdate:
		s.deleteDoc(w, r, id)
	default:
		writeError(w, http.StatusMethodNotAllowed, "use GET /v1/docs/{id}, GET or POST /v1/docs/{id}/update, DELETE /v1/docs/{id}")
	}
}

// openRoom checks the caller may access id as wanted and acquires its room; on failure it has answered.
func (s *Server) openRoom(w http.ResponseWriter, r *http.Request, id string, write bool) *room {
	p := s.principal(w, r)
	if p == nil {
		return nil
	}
	return s.openRoomFor(w, r, p, id, write)
}

// granted checks the caller may access id as wanted; on refusal it has answered.
func (s *Server) granted(w http.ResponseWriter, p *auth.Principal, id string, write bool) bool {
	a := p.Access(id)
	if !a.Read || (write && !a.Write) {
		s.metrics.refusals.WithLabelValues("doc_not_granted").Inc()
		writeError(w, http.StatusForbidden, "the token does not grant this access to the document")
		return false
	}
	return true
}

// openRoomFor is openRoom for a caller whose token is already verified.
func (s *Server) openRoomFor(w http.ResponseWriter, r *http.Request, p *auth.Principal, id string, write bool) *room {
	if !s.granted(w, p, id, write) {
		return nil
	}
	if s.repl != nil && s.repl.IsDeleted(id) {
		// The cluster's tombstone is known before this node has removed the content: answer as for a
		// document deleted here.
		writeError(w, http.StatusGone, "document deleted")
		return nil
	}
	rm, err := s.hub.acquire(r.Context(), id, false)
	switch {
	case errors.Is(err, store.ErrDeleted):
		writeError(w, http.StatusGone, "document deleted")
	case errors.Is(err, errShuttingDown):
		writeError(w, http.StatusServiceUnavailable, "server shutting down")
	case err != nil:
		writeError(w, http.StatusInternalServerError, "document could not be loaded")
	default:
		return rm
	}
	return nil
}

// withRead runs read on the room goroutine once every write queued before it is durable, and writes its JSON.
func (s *Server) withRead(w http.ResponseWriter, r *http.Request, id string, read func(*room) (int, any)) {
	rm := s.openRoom(w, r, id, false)
	if rm == nil {
		return
	}
	defer s.hub.release(rm, false)
	type result struct {
		status int
		body   any
	}
	res := make(chan result, 1)
	rm.call(func(rm *room) {
		rm.queue.push(nil, func(err error) {
			if err != nil {
				res <- result{http.StatusServiceUnavailable, apiError{"storage failure"}}
				return
			}
			st, body := read(rm)
			res <- result{st, body}
		})
	})
	select {
	case out := <-res:
		if b, ok := out.body.([]byte); ok {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.WriteHeader(out.status)
			_, _ = w.Write(b)
			return
		}
		writeJSON(w, out.status, out.body)
	case <-rm.done:
		writeError(w, http.StatusServiceUnavailable, "document unloaded, retry")
	case <-r.Context().Done():
	}
}

func (s *Server) getUpdate(w http.ResponseWriter, r *http.Request, id string) {
	var sv crdt.StateVector
	if enc := r.URL.Query().Get("sv"); enc != "" {
		raw, err := decodeBase64(enc)
		if err == nil {
			sv, err = crdt.DecodeStateVector(raw)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "sv must be a base64 encoded Yjs state vector")
			return
		}
	}
	s.withRead(w, r, id, func(rm *room) (int, any) { return http.StatusOK, rm.doc.EncodeStateAsUpdate(sv) })
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

func (s *Server) postUpdate(w http.ResponseWriter, r *http.Request, id string) {
	start := time.Now() // a stored write's latency, whole, is what repair protects (latency_window.go)
	// Nothing of the body is read before the caller is known to be allowed to write: a refusal answers at
	// once and closes the connection (net/http would otherwise read up to 256 KB of the unread body to keep
	// it alive). Once the body is read, keep-alive is allowed again.
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
	if !s.limitAddress(w, r) {
		return
	}
	if !s.replicationReady() {
		writeError(w, http.StatusServiceUnavailable, "this region is still copying from its peers; retry shortly")
		return
	}
	p := s.principal(w, r)
	if p == nil || !s.limitSubject(w, p.Subject) || !s.granted(w, p, id, true) {
		return
	}
	body, ok := s.readUpdate(w, r)
	if !ok {
		return
	}
	w.Header().Del("Connection")
	rm := s.openRoomFor(w, r, p, id, true)
	if rm == nil {
		return
	}
	defer s.hub.release(rm, false)
	res := make(chan error, 1)
	if !rm.call(func(rm *room) { rm.pending.writer = p.Subject; rm.applyHTTP(body, func(err error) { res <- err }) }) {
		writeError(w, http.StatusServiceUnavailable, "document unloaded, retry")
		return
	}
	var err error
	select {
	case err = <-res:
	case <-r.Context().Done():
		return
	}
	switch {
	case err == nil:
		s.writeLatency.observe(time.Since(start))
		writeJSON(w, http.StatusOK, map[string]any{"stored": true})
	case writeStorageError(w, err): // full: 507 (storage_health.go)
	case errors.Is(err, errRefused):
		status := http.StatusBadRequest
		if strings.Contains(err.Error(), refuseDocTooBig.reason) {
			status = http.StatusRequestEntityTooLarge
		}
		writeError(w, status, strings.TrimPrefix(err.Error(), "refused: "))
	default:
		writeError(w, http.StatusServiceUnavailable, "storage failure, retry")
	}
}

func (s *Server) deleteDoc(w http.ResponseWriter, r *http.Request, id string) {
	if !s.limitAddress(w, r) {
		return
	}
	p := s.adminAudited(w, r, "doc.delete", id)
	if p == nil || !s.limitSubject(w, p.Subject) {
		return
	}
	w = s.auditOnResponse(w, r, p, "doc.delete", id)
	defer w.(*auditedResponse).finish()
	if !s.replicationReady() {
		writeError(w, http.StatusServiceUnavailable, "this region is still copying from its peers; retry shortly")
		return
	}
	s.hub.evict(context.WithoutCancel(r.Context()), id)
	if err := s.deleteInCluster(id); err != nil && !errors.Is(err, store.ErrDeleted) {
		if !writeStorageError(w, err) {
			writeError(w, http.StatusInternalServerError, "delete failed")
		}
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": id})
}
