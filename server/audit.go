package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/meridian-sync/meridian/server/auth"
)

// auditActor is who did an audited action: a token subject and the address it came from, or the server
// itself (key and certificate reloads).
type auditActor struct {
	subject string
	remote  string
}

var systemActor = auditActor{subject: "system"}

func actorOf(p *auth.Principal, r *http.Request) auditActor {
	a := auditActor{remote: remoteIP(r)}
	if p != nil {
		a.subject = p.Subject
	}
	return a
}

// audit writes one structured line for an administrative action: `audit=true action=... subject=...
// target=... outcome=ok|failed|denied`, plus details. Filter on audit=true to ship them to a separate store.
// The line passes through the redacting handler like every other, so a token can never end up in it.
func (s *Server) audit(ctx context.Context, action string, who auditActor, target string, err error, details ...any) {
	attrs := []any{"audit", true, "action", action, "subject", who.subject, "target", target, "outcome", outcome(err)}
	if who.remote != "" {
		attrs = append(attrs, "remote", who.remote)
	}
	if err != nil {
		attrs = append(attrs, "err", err.Error())
	}
	attrs = append(attrs, details...)
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
	}
	s.log.Log(ctx, level, "audit", attrs...)
	s.sec.metrics.audits.WithLabelValues(action, outcome(err)).Inc()
}

// errDenied marks an audited action refused for lack of permission.
type deniedError struct{ why string }

func (e deniedError) Error() string { return e.why }

func outcome(err error) string {
	switch err.(type) {
	case nil:
		return "ok"
	case deniedError:
		return "denied"
	}
	return "failed"
}

// remoteIP is the request's peer address without the port. Meridian does not trust forwarding headers: behind
// a proxy, every client shares the proxy's address (see SECURITY.md).
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// adminAudited is admin() for an action worth auditing: it returns the admin principal, or nil after
// answering, and audits a refusal of a valid token that is not admin.
func (s *Server) adminAudited(w http.ResponseWriter, r *http.Request, action, target string) *auth.Principal {
	p := s.principal(w, r)
	if p == nil {
		return nil
	}
	if !p.Admin {
		s.metrics.refusals.WithLabelValues("not_admin").Inc()
		s.audit(r.Context(), action, actorOf(p, r), target, deniedError{"not an admin token"})
		writeError(w, http.StatusForbidden, "this endpoint needs an admin token")
		return nil
	}
	return p
}

// auditedResponse audits an action when its handler has answered: ok for a 2xx status, failed otherwise
// (with the status), so every exit of the handler is audited without an audit call at each.
type auditedResponse struct {
	http.ResponseWriter
	srv    *Server
	r      *http.Request
	who    auditActor
	action string
	target string
	status int
}

func (s *Server) auditOnResponse(w http.ResponseWriter, r *http.Request, p *auth.Principal, action, target string) http.ResponseWriter {
	return &auditedResponse{ResponseWriter: w, srv: s, r: r, who: actorOf(p, r), action: action, target: target}
}

func (a *auditedResponse) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
	a.ResponseWriter.WriteHeader(status)
}

func (a *auditedResponse) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.ResponseWriter.Write(b)
}

func (a *auditedResponse) finish() {
	var err error
	if a.status == 0 || a.status >= 300 {
		err = fmt.Errorf("HTTP %d", a.status)
	}
	a.srv.audit(a.r.Context(), a.action, a.who, a.target, err, "status", a.status)
}
