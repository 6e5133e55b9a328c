package server

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The abuse limits on the HTTP API. Every write request (POST /v1/docs/{id}/update, DELETE /v1/docs/{id})
// costs one message from the same budgets as a WebSocket message: the remote address's before anything else
// is done (even a request with a bad token costs one, which slows token guessing), the token subject's once
// the token is verified. A refused request stores nothing and is answered 429 with Retry-After, the same
// message a WebSocket gets in its close reason, and a bump of meridian_refusals_total with the same reason.

// limitAddress applies the remote address's budget to a write; on refusal it has answered.
func (s *Server) limitAddress(w http.ResponseWriter, r *http.Request) bool {
	return s.limitRequest(w, "", remoteIP(r))
}

// limitSubject applies the token subject's budget to a write; on refusal it has answered.
func (s *Server) limitSubject(w http.ResponseWriter, subject string) bool {
	return s.limitRequest(w, subject, "")
}

func (s *Server) limitRequest(w http.ResponseWriter, subject, address string) bool {
	if s.sec == nil {
		return true
	}
	lim := s.sec.abuse.allowRequest(subject, address, time.Now())
	if lim == nil {
		return true
	}
	s.metrics.refusals.WithLabelValues(lim.refusal.metric).Inc()
	secs := int(lim.retryAfter / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, http.StatusTooManyRequests, fmt.Sprintf("%s; nothing was stored, retry after %d s", lim.refusal.reason, secs))
	return false
}
