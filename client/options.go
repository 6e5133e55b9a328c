package client

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Option configures Dial.
type Option func(*config)

type config struct {
	tokens       TokenSource
	staticToken  bool // a fixed token cannot be renewed: an expiry refusal is final
	offlineDir   string
	backoffMin   time.Duration
	backoffMax   time.Duration
	refreshLead  time.Duration
	wait         bool
	clientID     uint64
	logger       *slog.Logger
	header       http.Header
	pingInterval time.Duration
	failover     failoverConfig // WithEndpoints, WithFailbackInterval (failover.go)
}

func defaultConfig() config {
	return config{backoffMin: 250 * time.Millisecond, backoffMax: 10 * time.Second, refreshLead: 30 * time.Second,
		wait: true, pingInterval: 15 * time.Second}
}

// WithToken connects with a fixed JWT (sent in the Authorization header, never in the URL). When the server
// reports it expired, the client closes with ErrUnauthorized; use WithTokenSource to renew tokens instead.
func WithToken(token string) Option {
	return func(c *config) {
		c.tokens = func(context.Context) (string, error) { return token, nil }
		c.staticToken = true
	}
}

// WithTokenSource fetches a token before each connection, again before the current one expires (the client
// reconnects with the new one, losing nothing), and after an expiry refusal.
func WithTokenSource(src TokenSource) Option {
	return func(c *config) { c.tokens, c.staticToken = src, false }
}

// WithOfflineDir keeps unacknowledged local edits in dir (one file per document) as well as in memory, so that
// a program restarted before the server stored them sends them when it next connects.
func WithOfflineDir(dir string) Option { return func(c *config) { c.offlineDir = dir } }

// WithBackoff sets the reconnection delays: the first retry waits around min, each further one up to twice as
// long, never more than max, with random jitter (defaults 250ms and 10s).
func WithBackoff(min, max time.Duration) Option {
	return func(c *config) { c.backoffMin, c.backoffMax = min, max }
}

// WithRefreshLead sets how long before a token's expiry the client fetches a new one and reconnects (default
// 30s, or half the token's remaining lifetime when that is shorter).
func WithRefreshLead(d time.Duration) Option { return func(c *config) { c.refreshLead = d } }

// WithoutWait makes Dial return at once instead of waiting for the first sync: the client connects in the
// background, and edits made meanwhile are queued (an offline-first start).
func WithoutWait() Option { return func(c *config) { c.wait = false } }

// WithClientID sets the Yjs client id of the local document (default: random). Never share one id between two
// live documents.
func WithClientID(id uint64) Option { return func(c *config) { c.clientID = id } }

// WithLogger receives connection events (debug and info levels). Tokens never reach it.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithHeader adds HTTP headers to the WebSocket handshake (an Authorization header here is replaced by the
// token's).
func WithHeader(h http.Header) Option { return func(c *config) { c.header = h.Clone() } }
