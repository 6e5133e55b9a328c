package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-sync/meridian/server/auth"
	"github.com/meridian-sync/meridian/server/store"
)

// EnvPrefix prefixes the environment variable of every flag: --jwt-secret is MERIDIAN_JWT_SECRET.
const EnvPrefix = "MERIDIAN_"

// EnvName is the environment variable that backs a flag.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// ApplyEnv sets every flag of fs that has a MERIDIAN_* variable in the environment. Call it after registering
// the flags and before fs.Parse, so that command-line flags still win.
func ApplyEnv(fs *flag.FlagSet, lookup func(string) (string, bool)) error {
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := lookup(EnvName(f.Name)); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", EnvName(f.Name), err))
			}
		}
	})
	return errors.Join(errs...)
}

// listFlag is a comma-separated (or repeated) string list.
type listFlag struct{ v *[]string }

func (l listFlag) String() string {
	if l.v == nil {
		return ""
	}
	return strings.Join(*l.v, ",")
}

func (l listFlag) Set(s string) error {
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l.v = append(*l.v, p)
		}
	}
	return nil
}

// RegisterServeFlags registers the flags of `meridian serve` on fs, writing into cfg.
func RegisterServeFlags(fs *flag.FlagSet, cfg *Config) {
	d := DefaultLimits()
	fs.StringVar(&cfg.Listen, "listen", ":8080", "address of the HTTP/WebSocket port")
	fs.StringVar(&cfg.DataDir, "data", "./data", "data directory (Pebble)")
	fs.StringVar(&cfg.Region, "region", "local", "region name reported to clients and peers")
	fs.StringVar(&cfg.Node, "node", "", "node name (default: host name)")
	fs.BoolVar(&cfg.Dev, "dev", false, "development mode: anonymous clients may read and write everything")
	registerSecretFlag(fs, &cfg.JWTSecret)
	fs.StringVar(&cfg.JWTPublicKeys, "jwt-public-keys", "", "PEM file of public keys for RS256, ES256 or EdDSA tokens")
	fs.StringVar(&cfg.JWKSFile, "jwks-file", "", "JWKS file of public keys for RS256, ES256 or EdDSA tokens")
	fs.Var(listFlag{&cfg.JWTAlgorithms}, "jwt-algorithms", "restrict accepted algorithms (comma separated; default: all the keys support)")
	registerClaimFlags(fs, &cfg.JWTIssuer, &cfg.JWTAudience)
	fs.DurationVar(&cfg.JWTLeeway, "jwt-leeway", auth.DefaultLeeway, "clock skew allowed on exp and nbf")
	fs.Uint64Var(&cfg.CompactEntries, "compact-entries", store.DefaultCompactLogCount, "compact a document's log beyond this many updates")
	fs.Uint64Var(&cfg.CompactBytes, "compact-bytes", 1<<20, "compact a document's log beyond this many bytes")
	l := &cfg.Limits
	fs.IntVar(&l.MaxMessageBytes, "max-message-bytes", d.MaxMessageBytes, "largest WebSocket message or HTTP update")
	fs.IntVar(&l.MaxDocumentBytes, "max-document-bytes", d.MaxDocumentBytes, "largest stored document")
	fs.IntVar(&l.MaxConnections, "max-connections", d.MaxConnections, "connections per node")
	fs.IntVar(&l.MaxConnectionsPerDoc, "max-connections-per-doc", d.MaxConnectionsPerDoc, "connections per document")
	fs.IntVar(&l.MaxAwarenessStates, "max-awareness-states", d.MaxAwarenessStates, "awareness states per document")
	registerFloodFlags(fs, l, d)
	fs.Float64Var(&l.UpdatesPerSecond, "updates-per-second", d.UpdatesPerSecond, "sustained messages per second per connection")
	fs.IntVar(&l.UpdateBurst, "update-burst", d.UpdateBurst, "message burst per connection")
	fs.IntVar(&l.SendQueue, "send-queue", d.SendQueue, "outgoing messages queued per connection before it is cut off")
	fs.DurationVar(&l.WriteTimeout, "write-timeout", d.WriteTimeout, "cut off a client whose write takes longer")
	fs.DurationVar(&l.PingInterval, "ping-interval", d.PingInterval, "WebSocket ping period")
	fs.DurationVar(&l.IdleUnload, "idle-unload", d.IdleUnload, "unload a document this long after its last connection")
	registerHTTPFlags(fs, &cfg.HTTP)
	registerClusterFlags(fs, &cfg.Cluster)
	registerSecurityFlags(fs, &cfg.Security)
	registerDebugFlags(fs, &cfg.DebugAddr)
	fs.Var(invertedBool{&cfg.DisableIOUring}, "io-uring",
		"batch the fan-out writes of a document through io_uring (false: one write(2) per connection)")
}

// invertedBool is a boolean flag stored negated, for a Config field whose zero value must mean "on".
type invertedBool struct{ off *bool }

func (b invertedBool) IsBoolFlag() bool { return true }

func (b invertedBool) String() string {
	if b.off == nil {
		return "true"
	}
	return strconv.FormatBool(!*b.off)
}

func (b invertedBool) Set(s string) error {
	on, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false, got %q", s)
	}
	*b.off = !on
	return nil
}

func registerSecretFlag(fs *flag.FlagSet, secret *string) {
	fs.StringVar(secret, "jwt-secret", "", "HS256 secret, at least 32 bytes (prefer the MERIDIAN_JWT_SECRET variable: flags show in ps)")
}

func registerClaimFlags(fs *flag.FlagSet, issuer, audience *string) {
	fs.StringVar(issuer, "jwt-issuer", "", "required token issuer (iss)")
	fs.StringVar(audience, "jwt-audience", "", "required token audience (aud)")
}

// TokenOptions are the flags of `meridian token`.
type TokenOptions struct {
	Secret   string
	Docs     []string
	Perm     string
	Presence bool
	Admin    bool
	TTL      time.Duration
	Subject  string
	Issuer   string
	Audience string
	KeyID    string // written as the token's kid header (token_keys.go)
	KeyFile  string // PEM private key to sign with instead of the HS256 secret
}

// RegisterTokenFlags registers the flags of `meridian token` on fs, writing into t.
func RegisterTokenFlags(fs *flag.FlagSet, t *TokenOptions) {
	registerSecretFlag(fs, &t.Secret)
	fs.Var(listFlag{&t.Docs}, "doc", "document id, or prefix pattern ending in * (repeatable or comma separated)")
	fs.StringVar(&t.Perm, "perm", auth.PermRead, "read or write")
	fs.BoolVar(&t.Presence, "presence", false, "let a read-only token publish presence (cursors)")
	fs.BoolVar(&t.Admin, "admin", false, "grant the admin endpoints (list, delete, cluster)")
	fs.DurationVar(&t.TTL, "ttl", 24*time.Hour, "token lifetime")
	fs.StringVar(&t.Subject, "sub", "", "subject (user id)")
	registerClaimFlags(fs, &t.Issuer, &t.Audience)
	registerTokenKeyFlags(fs, t)
}

// Mint signs the token the options describe.
func (t TokenOptions) Mint() (string, error) {
	key, err := t.signingKey()
	if err != nil {
		return "", err
	}
	req := auth.MintRequest{Subject: t.Subject, Admin: t.Admin, Issuer: t.Issuer, Audience: t.Audience, TTL: t.TTL}
	for _, d := range t.Docs {
		req.Grants = append(req.Grants, auth.Grant{Pattern: d, Perm: t.Perm, Presence: t.Presence})
	}
	return auth.MintWith(key, req)
}

// RunToken is `meridian token`: it parses args (environment first) and prints a token on stdout.
func RunToken(args []string, lookupEnv func(string) (string, bool), stdout io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	var t TokenOptions
	RegisterTokenFlags(fs, &t)
	if err := ApplyEnv(fs, lookupEnv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	tok, err := t.Mint()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}

// RunServe is `meridian serve`: it parses args (environment first), then serves until ctx is cancelled.
// web, when not nil, serves the paths the API does not (the browser editor).
func RunServe(ctx context.Context, args []string, lookupEnv func(string) (string, bool), logger *slog.Logger, web http.Handler) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg Config
	RegisterServeFlags(fs, &cfg)
	if err := ApplyEnv(fs, lookupEnv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.Logger = logger
	cfg.Web = web
	if before, after := ensureMinProcs(lookupEnv); after != before && logger != nil {
		logger.Info("raised GOMAXPROCS so fsync does not stall the server", "from", before, "to", after)
	}
	s, err := New(cfg)
	if err != nil {
		return err
	}
	return s.Run(ctx)
}
