package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication"
	"github.com/meridian-sync/meridian/server/auth"
	"github.com/meridian-sync/meridian/server/store"
)

// Server is one regional Meridian node: WebSocket sync, HTTP API, health and metrics on one port.
type Server struct {
	cfg      Config
	log      *slog.Logger
	quiet    *slog.Logger // s.log with every message throttled: for lines an attacker or a failing disk repeats
	store    *store.Store
	verifier *auth.Verifier
	metrics  *metrics
	hub      *hub
	conns    atomic.Int64
	ready    atomic.Bool
	handler  http.Handler
	closed   atomic.Bool
	sec      *securityRuntime // TLS, key rotation, abuse limits: security_runtime.go
	direct   directWriter     // the rooms' batched writes to their members (session_direct.go)
	pending  pendingBudget    // pending (unresolved) update bytes of the loaded documents (pending_budget.go)

	// Replication (nil when the node runs alone): see replication.go.
	repl *replication.Node
	// writeLatency is the recent durable wait of client writes: repair backs off when it rises.
	writeLatency *latencyWindow
	gossip       *replication.Serf
	replStop     context.CancelFunc
	replDone     chan error
}

// New validates cfg, opens the store and returns a server ready to serve; call Run, or mount Handler and call
// Shutdown when done.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.ensureDefaults()
	v, err := cfg.verifier()
	if err != nil {
		return nil, fmt.Errorf("meridian: auth configuration: %w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, verifier: v, metrics: newMetrics(), writeLatency: newLatencyWindow()}
	// Lines a flood repeats (a refused handshake, a failing disk) are throttled: logthrottle.go.
	s.quiet = newThrottledLogger(s.log)
	if s.sec, err = s.loadSecurity(); err != nil {
		return nil, fmt.Errorf("meridian: %w", err)
	}
	s.store, err = store.Open(cfg.tweakStore(store.Options{
		Dir: cfg.DataDir, Merge: crdt.MergeUpdates, Logger: newThrottledLogger(s.log, storeFailureMessages...),
		CompactLogCount: cfg.CompactEntries, CompactLogBytes: cfg.CompactBytes,
		OnNumbered: s.handOver, OnHealth: s.storageHealthChanged,
		Observer: store.Observer{
			Committed: func(ops, _ int, fsync time.Duration) {
				s.metrics.fsyncSeconds.Observe(fsync.Seconds())
				s.metrics.batchOps.Observe(float64(ops))
			},
			Compacted: func(string, uint64, uint64, uint64, time.Duration) { s.metrics.compactions.Inc() },
		},
	}))
	if err != nil {
		return nil, err
	}
	s.storageHealthChanged(s.store.Health())
	s.direct = newDirectWriter(cfg.DisableIOUring, s.log, s.metrics.ringBatches)
	s.hub = newHub(s)
	if cfg.Cluster.enabled() {
		if err := s.startReplication(); err != nil {
			_ = s.store.Close()
			s.direct.close()
			return nil, fmt.Errorf("meridian: replication: %w", err)
		}
	}
	s.startSecurity()
	s.handler = s.routes()
	s.ready.Store(true)
	if cfg.Dev {
		s.log.Warn("DEVELOPMENT MODE: anonymous clients may read and write every document. " +
			"Never run --dev on a reachable network; configure --jwt-secret or public keys instead.")
	}
	s.log.Info("meridian ready", "region", cfg.Region, "node", cfg.Node, "data", cfg.DataDir,
		"algorithms", v.Algorithms(), "fanout", s.direct.mode())
	return s, nil
}

// Handler serves /ws/{doc}, /v1/..., /healthz, /readyz and /metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// Run listens on cfg.Listen and serves until ctx is cancelled, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("meridian: listen on %s: %w", s.cfg.Listen, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on an existing listener.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := s.httpServer()
	s.log.Info("listening", "addr", ln.Addr().String())
	_, stopDebug, err := s.startDebug()
	if err != nil {
		_ = ln.Close()
		_ = s.Shutdown(context.Background())
		return err
	}
	defer stopDebug()
	served := make(chan error, 1)
	ln = s.clientListener(ln)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		_ = s.Shutdown(context.Background())
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	// Stop accepting first; hijacked WebSockets are not tracked by http.Server and are drained by Shutdown.
	httpErr := hs.Shutdown(shutdownCtx)
	return errors.Join(s.Shutdown(shutdownCtx), ignoreClosed(httpErr))
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown drains every document (pending writes become durable and are broadcast), closes all connections
// with 1001, and closes the store. It is safe to call more than once.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	s.ready.Store(false)
	s.log.Info("shutting down: draining connections")
	drainErr := s.hub.shutdown(ctx)
	s.stopSecurity()
	replErr := s.stopReplication()
	err := errors.Join(drainErr, replErr, s.store.Close())
	s.direct.close()
	s.log.Info("shutdown complete")
	return err
}
