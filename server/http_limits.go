package server

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// HTTPLimits bound what a plain HTTP request may hold on the client port: time to send its header and body,
// time to read the answer, time idle between keep-alive requests, and requests in flight per remote address.
// A WebSocket is exempt once upgraded (the upgrade clears the connection's deadlines; the session then runs
// its own ping and write timeouts), but its handshake is an HTTP request like any other.
//
// Zero fields take the defaults of DefaultHTTPLimits.
type HTTPLimits struct {
	// ReadHeaderTimeout cuts a client that has not sent its request header in this time (slowloris).
	ReadHeaderTimeout time.Duration
	// ReadTimeout cuts a client that has not sent its whole request, header and body, in this time: a body
	// trickled a byte at a time cannot hold a connection longer.
	ReadTimeout time.Duration
	// WriteTimeout ends a request whose answer is not written this long after its header was read. It
	// includes the wait for durability of a POST, so it must be well above the store's worst commit.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection idle this long between requests.
	IdleTimeout time.Duration
	// RequestsPerAddress is how many requests one remote IP address may have in flight at once (WebSocket
	// handshakes included, upgraded connections not); one more is answered 429.
	RequestsPerAddress int
}

// DefaultHTTPLimits are safe for a public server. The read timeout leaves an authenticated 8 MB update 30 s,
// about 280 KB/s; the per-address cap is far above what one browser or SDK client uses (a handful).
func DefaultHTTPLimits() HTTPLimits {
	return HTTPLimits{
		ReadHeaderTimeout:  10 * time.Second,
		ReadTimeout:        30 * time.Second,
		WriteTimeout:       60 * time.Second,
		IdleTimeout:        60 * time.Second,
		RequestsPerAddress: 64,
	}
}

// registerHTTPFlags registers the flags of HTTPLimits (and their MERIDIAN_* variables).
func registerHTTPFlags(fs *flag.FlagSet, l *HTTPLimits) {
	d := DefaultHTTPLimits()
	fs.DurationVar(&l.ReadHeaderTimeout, "http-read-header-timeout", d.ReadHeaderTimeout, "cut a client that has not sent its request header in this time")
	fs.DurationVar(&l.ReadTimeout, "http-read-timeout", d.ReadTimeout, "cut a client that has not sent its whole request (header and body) in this time")
	fs.DurationVar(&l.WriteTimeout, "http-write-timeout", d.WriteTimeout, "end a request not answered this long after its header (includes the wait for durability)")
	fs.DurationVar(&l.IdleTimeout, "http-idle-timeout", d.IdleTimeout, "close a keep-alive connection idle this long")
	fs.IntVar(&l.RequestsPerAddress, "http-requests-per-address", d.RequestsPerAddress, "HTTP requests (and WebSocket handshakes) in flight per remote IP address; more are answered 429")
}

// validate says which HTTP limit is unusable. Zero means the default; a negative value is a mistake (a
// negative timeout would mean "none" to net/http, silently turning a limit off).
func (l HTTPLimits) validate() []error {
	var errs []error
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{
		{"--http-read-header-timeout", l.ReadHeaderTimeout}, {"--http-read-timeout", l.ReadTimeout},
		{"--http-write-timeout", l.WriteTimeout}, {"--http-idle-timeout", l.IdleTimeout},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s is %v; want a positive duration such as 30s (0 means the default)", d.flag, d.v))
		}
	}
	if l.RequestsPerAddress < 0 {
		errs = append(errs, fmt.Errorf("--http-requests-per-address is %d; want a positive count (0 means the default)", l.RequestsPerAddress))
	}
	if l.ReadHeaderTimeout > 0 && l.ReadTimeout > 0 && l.ReadHeaderTimeout > l.ReadTimeout {
		errs = append(errs, errors.New("--http-read-header-timeout is longer than --http-read-timeout, which covers the header too; lower it"))
	}
	return errs
}

func (l *HTTPLimits) ensureDefaults() {
	d := DefaultHTTPLimits()
	setDefault(&l.ReadHeaderTimeout, d.ReadHeaderTimeout)
	setDefault(&l.ReadTimeout, d.ReadTimeout)
	setDefault(&l.WriteTimeout, d.WriteTimeout)
	setDefault(&l.IdleTimeout, d.IdleTimeout)
	setDefault(&l.RequestsPerAddress, d.RequestsPerAddress)
}

// httpServer is the client port's http.Server, with the limits applied. Its error log (accept errors, bad TLS
// handshakes) goes through the log throttle: under a flood it would otherwise write a line per connection.
func (s *Server) httpServer() *http.Server {
	l := s.cfg.HTTP
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.quiet.Handler(), slog.LevelWarn),
	}
}

// maxHeaderBytes bounds a request's header block. Tokens travel there (a JWT with many grants may be a few KB);
// net/http's default of 1 MB lets each slow client pin far more than a request needs.
const maxHeaderBytes = 64 << 10
