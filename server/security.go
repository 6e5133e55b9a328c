package server

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"time"
)

// SecurityConfig holds the client port's TLS, the rotation of token keys and the abuse limits.
type SecurityConfig struct {
	// TLSCert and TLSKey are PEM files; when both are set the client port speaks only TLS (https, wss). The
	// files are watched: a renewed certificate is served without a restart.
	TLSCert, TLSKey string
	// TLSReload is how often the certificate files are checked for a change (default 10s).
	TLSReload time.Duration

	// JWKSURL is an https URL serving a JWKS of public keys, fetched at start and every JWKSRefresh.
	JWKSURL string
	// JWKSRefresh is how often every key source (--jwt-public-keys, --jwks-file, --jwks-url) is reread, so a
	// key added or retired there takes effect without a restart (default 1m; negative disables).
	JWKSRefresh time.Duration
	// JWKSClient fetches JWKSURL; nil means a client with a 10s timeout and the system's roots.
	JWKSClient *http.Client

	Abuse AbuseLimits
}

// AbuseLimits cap what one token subject or one remote address may use across all its connections. Zero
// disables a limit (the default: a load generator or a NAT shares one address, and development mode gives
// every client the same subject); set them on a public server.
type AbuseLimits struct {
	ConnectionsPerSubject int     // open WebSocket connections per token subject
	ConnectionsPerAddress int     // open WebSocket connections per remote IP address
	MessagesPerSubject    float64 // sustained messages per second per token subject (burst: 2 s worth)
	MessagesPerAddress    float64 // sustained messages per second per remote IP address (burst: 2 s worth)
}

const (
	defaultTLSReload   = 10 * time.Second
	defaultJWKSRefresh = time.Minute
)

// registerSecurityFlags registers the flags of SecurityConfig (and their MERIDIAN_* variables).
func registerSecurityFlags(fs *flag.FlagSet, c *SecurityConfig) {
	fs.StringVar(&c.TLSCert, "tls-cert", "", "PEM certificate chain for the client port (with --tls-key: https and wss only); reloaded when the file changes")
	fs.StringVar(&c.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.DurationVar(&c.TLSReload, "tls-reload", defaultTLSReload, "how often the TLS files are checked for a renewed certificate")
	fs.StringVar(&c.JWKSURL, "jwks-url", "", "https URL of a JWKS of public token keys, refetched every --jwks-refresh")
	fs.DurationVar(&c.JWKSRefresh, "jwks-refresh", defaultJWKSRefresh, "reread --jwt-public-keys, --jwks-file and --jwks-url this often (negative: never)")
	a := &c.Abuse
	fs.IntVar(&a.ConnectionsPerSubject, "max-connections-per-subject", 0, "open connections per token subject (0: unlimited)")
	fs.IntVar(&a.ConnectionsPerAddress, "max-connections-per-address", 0, "open connections per remote IP address (0: unlimited)")
	fs.Float64Var(&a.MessagesPerSubject, "messages-per-second-per-subject", 0, "sustained messages per second per token subject, all connections together (0: unlimited)")
	fs.Float64Var(&a.MessagesPerAddress, "messages-per-second-per-address", 0, "sustained messages per second per remote IP address (0: unlimited)")
}

// validate says what is wrong with the security settings and how to fix it.
func (c *SecurityConfig) validate() []error {
	var errs []error
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key go together: give both PEM files, or neither for plain HTTP"))
	}
	for _, f := range []struct{ flag, path string }{{"--tls-cert", c.TLSCert}, {"--tls-key", c.TLSKey}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", f.flag, err))
		}
	}
	if c.JWKSURL != "" {
		u, err := url.Parse(c.JWKSURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			errs = append(errs, fmt.Errorf("--jwks-url %q: want an https URL (keys fetched over plain HTTP could be replaced on the way)", c.JWKSURL))
		}
	}
	a := c.Abuse
	if a.ConnectionsPerSubject < 0 || a.ConnectionsPerAddress < 0 || a.MessagesPerSubject < 0 || a.MessagesPerAddress < 0 {
		errs = append(errs, errors.New("abuse limits must not be negative (0 means unlimited)"))
	}
	return errs
}

func (c *SecurityConfig) ensureDefaults() {
	if c.TLSReload <= 0 {
		c.TLSReload = defaultTLSReload
	}
	if c.JWKSRefresh == 0 {
		c.JWKSRefresh = defaultJWKSRefresh
	}
	if c.JWKSClient == nil {
		c.JWKSClient = &http.Client{Timeout: 10 * time.Second}
	}
}

// TLSEnabled reports whether the client port serves TLS.
func (c *SecurityConfig) TLSEnabled() bool { return c.TLSCert != "" && c.TLSKey != "" }
