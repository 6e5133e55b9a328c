package server

import (
	"net/http"
	"strings"
	"sync"
)

// inFlight counts the HTTP requests each remote address has in flight, to refuse one beyond the limit. An
// address is in the map only while it has a request in flight, so the map is bounded by the requests the
// server is handling, not by the addresses it has seen.
type inFlight struct {
	limit int
	mu    sync.Mutex
	n     map[string]int
}

func newInFlight(limit int) *inFlight { return &inFlight{limit: limit, n: map[string]int{}} }

// enter takes a place for addr, or reports that it has none left.
func (f *inFlight) enter(addr string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[addr] >= f.limit {
		return false
	}
	f.n[addr]++
	return true
}

func (f *inFlight) leave(addr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[addr]--; f.n[addr] <= 0 {
		delete(f.n, addr)
	}
}

// guard is the outermost handler of the client port: the per-address in-flight limit, then the routes. It
// runs before any token is checked or any body read, so a flood from one address costs a map lookup per
// request past the limit.
func (s *Server) guard(next http.Handler) http.Handler {
	limit := newInFlight(s.cfg.HTTP.RequestsPerAddress)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := remoteIP(r)
		if !limit.enter(addr) {
			s.metrics.refusals.WithLabelValues("address_requests_in_flight").Inc()
			w.Header().Set("Retry-After", "1")
			// The body (if any) is not read: the connection closes after the answer instead of draining it.
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusTooManyRequests,
				"too many requests in flight from this address; nothing was done, retry after 1 s")
			return
		}
		defer limit.leave(addr)
		next.ServeHTTP(w, r)
	})
}

// rawPaths routes the paths that carry a document id before http.ServeMux sees them. ServeMux cleans a path
// and redirects to the cleaned one, so GET /ws/a/../b would be sent, 307, to document "b": a document id is
// not a path to resolve, and ValidateDocID refuses dot segments on every route with the same 400 (or 4404
// close) instead.
func (s *Server) rawPaths(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.EscapedPath()
		switch {
		case strings.HasPrefix(p, "/ws/"):
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET, HEAD")
				writeError(w, http.StatusMethodNotAllowed, "a WebSocket connection starts with GET")
				return
			}
			s.handleWS(w, r)
		case strings.HasPrefix(p, "/v1/docs/"):
			s.handleDoc(w, r)
		default:
			mux.ServeHTTP(w, r)
		}
	})
}
