package server

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// The debug listener serves Go's profiler (net/http/pprof) on an address of its own, off by default. It is
// never mounted on the client port: profiles reveal memory contents and cost CPU, so only someone already on
// the machine may ask for them, which is why the address must be a loopback one.

func registerDebugFlags(fs *flag.FlagSet, addr *string) {
	fs.StringVar(addr, "debug-addr", "", "serve net/http/pprof on this loopback address (e.g. 127.0.0.1:6060); off when empty")
}

// validateDebugAddr accepts "" (off) or host:port whose host is a loopback IP or "localhost".
func validateDebugAddr(addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--debug-addr %q: %v (use 127.0.0.1:6060)", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--debug-addr %q: the profiler listens on loopback only (use 127.0.0.1:PORT or [::1]:PORT)", addr)
	}
	return nil
}

// debugHandler is the profiler's mux: the index, and the named profiles under /debug/pprof/.
func debugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// startDebug listens on cfg.DebugAddr when set and returns the address it listens on ("" when off) and the
// function that stops it.
func (s *Server) startDebug() (addr string, stop func(), err error) {
	if s.cfg.DebugAddr == "" {
		return "", func() {}, nil
	}
	ln, err := net.Listen("tcp", s.cfg.DebugAddr)
	if err != nil {
		return "", nil, fmt.Errorf("meridian: debug listener on %s: %w", s.cfg.DebugAddr, err)
	}
	// No write timeout: a CPU profile or trace streams for as long as its ?seconds= asks.
	hs := &http.Server{Handler: debugHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Warn("debug listener stopped", "err", err)
		}
	}()
	s.log.Warn("profiler listening (--debug-addr)", "addr", ln.Addr().String())
	return ln.Addr().String(), func() { _ = hs.Close() }, nil
}
