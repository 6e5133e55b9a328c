package server

import (
	"context"
	"crypto/tls"
	"net"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// securityRuntime is what the security settings run: the certificate watcher, the key refresher and the
// abuse guard. Started by New, stopped by Shutdown.
type securityRuntime struct {
	certs   *certReloader // nil without TLS
	abuse   *abuseGuard   // nil without abuse limits
	metrics *securityMetrics
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

type securityMetrics struct {
	keyReloads *prometheus.CounterVec // outcome
	tlsReloads *prometheus.CounterVec // outcome
	audits     *prometheus.CounterVec // action, outcome
}

func newSecurityMetrics(reg prometheus.Registerer) *securityMetrics {
	m := &securityMetrics{
		keyReloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meridian_jwt_key_reloads_total",
			Help: "Token key sets installed (ok) or refused (failed) after rereading the key sources."}, []string{"outcome"}),
		tlsReloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meridian_tls_cert_reloads_total",
			Help: "Client-port certificates swapped in (ok) or that failed to load (failed)."}, []string{"outcome"}),
		audits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meridian_audit_events_total",
			Help: "Audited administrative actions by action and outcome (ok, failed, denied)."}, []string{"action", "outcome"}),
	}
	reg.MustRegister(m.keyReloads, m.tlsReloads, m.audits)
	return m
}

// loadSecurity loads the certificate (a pair that does not load is a start-up error) and builds the abuse
// guard. It starts nothing: New calls it before opening the store, and startSecurity once the server is
// built.
func (s *Server) loadSecurity() (*securityRuntime, error) {
	sc := &s.cfg.Security
	rt := &securityRuntime{metrics: newSecurityMetrics(s.metrics.registry), abuse: newAbuseGuard(sc.Abuse),
		cancel: func() {}}
	if sc.TLSEnabled() {
		certs, err := newCertReloader(sc.TLSCert, sc.TLSKey)
		if err != nil {
			return nil, err
		}
		rt.certs = certs
		s.log.Info("TLS on the client port", certSummary(certs.current.Load())...)
	}
	return rt, nil
}

// startSecurity starts the certificate watcher and the key refresher; stopSecurity ends them.
func (s *Server) startSecurity() {
	sc, rt := &s.cfg.Security, s.sec
	ctx, cancel := context.WithCancel(context.Background())
	rt.cancel = cancel
	if certs := rt.certs; certs != nil {
		rt.wg.Go(func() {
			certs.watch(ctx, sc.TLSReload, func(cert *tls.Certificate, err error) {
				rt.metrics.tlsReloads.WithLabelValues(outcome(err)).Inc()
				if err != nil {
					s.audit(ctx, "tls.reload", systemActor, sc.TLSCert, err)
					return
				}
				s.audit(ctx, "tls.reload", systemActor, sc.TLSCert, nil, certSummary(cert)...)
			})
		})
	}
	if s.cfg.hasReloadableKeys() && sc.JWKSRefresh > 0 {
		rt.wg.Go(func() { s.watchKeys(ctx, sc.JWKSRefresh) })
	}
}

// stopSecurity stops the watchers and waits for them.
func (s *Server) stopSecurity() {
	if s.sec == nil {
		return
	}
	s.sec.cancel()
	s.sec.wg.Wait()
}

// clientListener wraps the client port's listener in TLS when it is configured. Plain HTTP on a TLS port
// fails the handshake (net/http answers "400 Client sent an HTTP request to an HTTPS server").
func (s *Server) clientListener(ln net.Listener) net.Listener {
	if s.sec == nil || s.sec.certs == nil {
		return ln
	}
	return tls.NewListener(ln, s.sec.certs.tlsConfig())
}

// TLSConfig is the client port's TLS configuration (nil without --tls-cert), for callers that mount Handler
// on a listener of their own.
func (s *Server) TLSConfig() *tls.Config {
	if s.sec == nil || s.sec.certs == nil {
		return nil
	}
	return s.sec.certs.tlsConfig()
}
