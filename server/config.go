package server

import (
	"context"
	"errors"
	"fmt"
	"github.com/meridian-sync/meridian/server/store"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/meridian-sync/meridian/server/auth"
)

// Limits bound what one client or document may cost. Zero fields take the defaults of DefaultLimits.
type Limits struct {
	MaxMessageBytes      int           // largest WebSocket frame or HTTP update body
	MaxDocumentBytes     int           // largest stored document (snapshot + log)
	MaxConnections       int           // connections per node
	MaxConnectionsPerDoc int           // connections per document
	MaxAwarenessStates   int           // awareness states per document
	UpdatesPerSecond     float64       // sustained messages per second per connection
	UpdateBurst          int           // burst above that rate
	SendQueue            int           // outgoing messages buffered per connection before it is cut off
	WriteTimeout         time.Duration // a write taking longer cuts the client off
	PingInterval         time.Duration // WebSocket ping period; no pong by the next ping closes
	IdleUnload           time.Duration // a document without connections is unloaded after this

	// Awareness bytes: one client's state (a cursor, a name, a colour) and all of a document's states,
	// which every joining connection is sent.
	MaxAwarenessStateBytes int
	MaxAwarenessBytes      int
	// Pending bytes: updates held in memory because they wait for changes the node does not have
	// (crdt.Doc.PendingBytes), per document, per node and per token subject (pending_budget.go).
	MaxPendingBytes           int
	MaxPendingBytesPerNode    int
	MaxPendingBytesPerSubject int
}

// DefaultLimits are safe for a shared server.
func DefaultLimits() Limits {
	return Limits{
		MaxMessageBytes:      8 << 20,
		MaxDocumentBytes:     64 << 20,
		MaxConnections:       20000,
		MaxConnectionsPerDoc: 1000,
		MaxAwarenessStates:   500,
		UpdatesPerSecond:     200,
		UpdateBurst:          1000,
		SendQueue:            256,
		WriteTimeout:         10 * time.Second,
		PingInterval:         30 * time.Second,
		IdleUnload:           30 * time.Second,

		// A cursor, a selection, a name and a colour take a few hundred bytes; 64 KB leaves room for an
		// avatar as a data URL. 4 MB per document keeps a joiner's snapshot well under the message limit.
		MaxAwarenessStateBytes: 64 << 10,
		MaxAwarenessBytes:      4 << 20,
		// Honest clients leave little pending (an update that raced the one it builds on); 8 MB per document
		// is a long offline session's worth. 16 MB per subject lets one user hold two such documents; 64 MB
		// per node bounds what all users together can park in memory (8 full documents).
		MaxPendingBytes:           8 << 20,
		MaxPendingBytesPerNode:    64 << 20,
		MaxPendingBytesPerSubject: 16 << 20,
	}
}

func (l *Limits) ensureDefaults() {
	d := DefaultLimits()
	setDefault(&l.MaxMessageBytes, d.MaxMessageBytes)
	setDefault(&l.MaxDocumentBytes, d.MaxDocumentBytes)
	setDefault(&l.MaxConnections, d.MaxConnections)
	setDefault(&l.MaxConnectionsPerDoc, d.MaxConnectionsPerDoc)
	setDefault(&l.MaxAwarenessStates, d.MaxAwarenessStates)
	setDefault(&l.MaxAwarenessStateBytes, d.MaxAwarenessStateBytes)
	setDefault(&l.MaxAwarenessBytes, d.MaxAwarenessBytes)
	setDefault(&l.MaxPendingBytes, d.MaxPendingBytes)
	setDefault(&l.MaxPendingBytesPerNode, d.MaxPendingBytesPerNode)
	setDefault(&l.MaxPendingBytesPerSubject, d.MaxPendingBytesPerSubject)
	setDefault(&l.UpdatesPerSecond, d.UpdatesPerSecond)
	setDefault(&l.UpdateBurst, d.UpdateBurst)
	setDefault(&l.SendQueue, d.SendQueue)
	setDefault(&l.WriteTimeout, d.WriteTimeout)
	setDefault(&l.PingInterval, d.PingInterval)
	setDefault(&l.IdleUnload, d.IdleUnload)
}

func setDefault[T int | float64 | time.Duration](v *T, d T) {
	if *v == 0 {
		*v = d
	}
}

// Config configures a Server. Fill it by hand or with RegisterServeFlags.
type Config struct {
	Listen  string // address of the single HTTP port (WebSocket, API, health, metrics); default ":8080"
	DataDir string // Pebble directory; default "./data"
	Region  string // reported in /v1/cluster and the hello extension; default "local"
	Node    string // node name; default the host name

	// Dev allows anonymous reads and writes of every document. Never in production.
	Dev bool

	// Auth keys. At least one is required unless Dev.
	JWTSecret      string // HS256 secret (≥ 32 bytes)
	JWTPublicKeys  string // path of a PEM file of public keys (RS256, ES256, EdDSA)
	JWKSFile       string // path of a JWKS file
	JWTAlgorithms  []string
	JWTIssuer      string
	JWTAudience    string
	JWTLeeway      time.Duration
	CompactEntries uint64 // compact a document's log beyond this many entries (default store.DefaultCompactLogCount)
	CompactBytes   uint64 // ...or beyond this many bytes (default 1 MiB)

	Limits Limits

	HTTP HTTPLimits // timeouts and in-flight requests of the client port's HTTP (http_limits.go)

	Security SecurityConfig // TLS of the client port, token key rotation, abuse limits (security.go)

	// Cluster turns on geo-replication; its zero value runs the node alone.
	Cluster ClusterConfig

	// DisableIOUring makes the rooms write to their members with one write(2) per connection instead of
	// batching the writes through io_uring (session_direct.go), for systems whose policy forbids io_uring.
	// Where the kernel lacks it, the server does without by itself.
	DisableIOUring bool

	// DebugAddr serves net/http/pprof on this loopback address (debug.go); empty: off.
	DebugAddr string

	Logger *slog.Logger // nil: text to stderr. Every record passes through auth.NewRedactingHandler.

	// Web serves everything the API does not (the browser editor, mounted at "/" by cmd/meridian, which may
	// import the web package; server may not). Nil: those paths answer 404.
	Web http.Handler

	// storeOptions lets tests adjust the store's options (a fake disk, a short health interval).
	storeOptions func(*store.Options)
}

// Validate checks the configuration and says how to fix what is wrong.
func (c *Config) Validate() error {
	var errs []error
	if c.Listen == "" {
		errs = append(errs, errors.New("--listen is empty; use an address such as :8080"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("--data is empty; give a directory for the database, such as ./data"))
	}
	if !c.Dev && c.JWTSecret == "" && c.JWTPublicKeys == "" && c.JWKSFile == "" && c.Security.JWKSURL == "" {
		errs = append(errs, errors.New("no token key configured: set --jwt-secret (or MERIDIAN_JWT_SECRET) to a random "+
			"string of at least 32 bytes (openssl rand -base64 48), or --jwt-public-keys / --jwks-file for RS256, ES256 "+
			"or EdDSA; or run with --dev to allow anonymous access on a development machine"))
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		errs = append(errs, fmt.Errorf("--jwt-secret has %d bytes; use at least 32 (openssl rand -base64 48)", len(c.JWTSecret)))
	}
	for _, f := range []struct{ flag, path string }{{"--jwt-public-keys", c.JWTPublicKeys}, {"--jwks-file", c.JWKSFile}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", f.flag, err))
		}
	}
	errs = append(errs, c.Security.validate()...)
	errs = append(errs, c.HTTP.validate()...)
	if err := validateDebugAddr(c.DebugAddr); err != nil {
		errs = append(errs, err)
	}
	l := c.Limits
	if l.MaxMessageBytes < 0 || l.MaxDocumentBytes < 0 || l.MaxConnections < 0 || l.MaxConnectionsPerDoc < 0 ||
		l.MaxAwarenessStates < 0 || l.UpdatesPerSecond < 0 || l.UpdateBurst < 0 || l.SendQueue < 0 {
		errs = append(errs, errors.New("limits must not be negative (0 means the default)"))
	}
	errs = append(errs, l.validateFloodLimits()...)
	errs = append(errs, c.Cluster.validate()...)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("meridian: invalid configuration:\n%w", err)
	}
	return nil
}

func (c *Config) ensureDefaults() {
	if c.Listen == "" {
		c.Listen = ":8080"
	}
	if c.DataDir == "" {
		c.DataDir = "./data"
	}
	if c.Region == "" {
		c.Region = "local"
	}
	if c.Node == "" {
		c.Node, _ = os.Hostname()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	c.Logger = slog.New(auth.NewRedactingHandler(c.Logger.Handler()))
	c.Limits.ensureDefaults()
	c.HTTP.ensureDefaults()
	c.Security.ensureDefaults()
}

// verifier builds the token verifier from the key settings (keys_reload.go reads them).
func (c *Config) verifier() (*auth.Verifier, error) {
	ks, err := c.loadKeySet(context.Background())
	if err != nil {
		return nil, err
	}
	return auth.NewVerifier(auth.Config{Secrets: ks.Secrets, PublicKeys: ks.PublicKeys, Algorithms: c.JWTAlgorithms,
		Issuer: c.JWTIssuer, Audience: c.JWTAudience, Leeway: c.JWTLeeway, AllowAnonymous: c.Dev})
}
