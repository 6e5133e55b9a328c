package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meridian-sync/meridian/crdt"
)

// Client is a live handle on one Meridian document: a crdt.Doc kept in sync with the server, the document's
// awareness, and the local edits the server has not yet stored. Its methods are safe for concurrent use.
type Client struct {
	docID string
	eps   *endpointSet // the server(s) and the choice of each connection's (failover.go)
	cfg   config
	log   *slog.Logger
	aware *Awareness
	conn  atomic.Pointer[connection] // the open connection, nil while offline; set under mu, read anywhere

	ctx    context.Context // the client's lifetime: Dial's context, cancelled by Close too
	cancel context.CancelFunc
	done   chan struct{} // closed when the connection loop has stopped

	// mu guards the document and everything below: the crdt.Doc is not safe for concurrent use, and edits,
	// remote updates and acks must be ordered with the frames they produce.
	mu            sync.Mutex
	doc           *crdt.Doc
	queue         queue
	offline       *offlineFile
	status        Status
	statusVersion uint64
	changed       chan struct{}        // closed and replaced at every status change, for waiters and the notifier
	watchers      map[int]func(Status) // status callbacks, run by the notifier goroutine
	changes       map[int]func(Change) // document change callbacks, run under mu
	nextID        int
	saveErr       error // the last failure to write the offline file
	closeErr      error
}

// Change describes one transaction applied to the document.
type Change struct {
	// Doc is the document; read it freely inside the callback (the client's lock is held), but do not call the
	// Client's Edit or Read from there.
	Doc *crdt.Doc
	// Update is the transaction as a v1 update.
	Update []byte
	// Remote is true for changes received from the server, false for local edits.
	Remote bool
}

// origins tag the document's transactions so the update handler knows what to send.
type origin struct{ name string }

var (
	originRemote   = &origin{"meridian remote"}
	originRestored = &origin{"meridian offline restore"}
)

// Dial opens the document docID on the Meridian server at serverURL (the WebSocket endpoint, e.g.
// "wss://sync.example.com/ws"; the document's URL is serverURL + "/" + docID, as y-websocket builds it).
//
// ctx bounds the client's whole life, not only the dial: cancelling it closes the client, like Close. Dial
// waits until the document is synced with the server (unless WithoutWait is given) and fails if the server
// refuses the connection for good (a bad token, a document not granted, an invalid id) or ctx ends first.
func Dial(ctx context.Context, serverURL, docID string, opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	eps, err := newEndpointSet(serverURL, docID, cfg.failover)
	if err != nil {
		return nil, err
	}
	if cfg.backoffMin <= 0 || cfg.backoffMax < cfg.backoffMin {
		return nil, fmt.Errorf("meridian/client: backoff min %v and max %v: want 0 < min <= max", cfg.backoffMin, cfg.backoffMax)
	}
	c := newClient(ctx, docID, eps, cfg)
	if cfg.offlineDir != "" {
		if err := c.restoreOffline(); err != nil {
			c.cancel()
			return nil, err
		}
	}
	go c.notifyLoop()
	go c.run()
	if !cfg.wait {
		return c, nil
	}
	if err := c.WaitSynced(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func newClient(ctx context.Context, docID string, eps *endpointSet, cfg config) *Client {
	var docOpts []crdt.Option
	if cfg.clientID != 0 {
		docOpts = append(docOpts, crdt.WithClientID(cfg.clientID))
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c := &Client{docID: docID, eps: eps, cfg: cfg, log: logger.With("doc", docID), doc: crdt.NewDoc(docOpts...),
		done: make(chan struct{}), changed: make(chan struct{}), watchers: map[int]func(Status){},
		changes: map[int]func(Change){}}
	c.ctx, c.cancel = context.WithCancel(ctx)
	c.aware = newAwareness(c.doc.ClientID(), time.Now)
	c.aware.send = c.sendAwareness
	c.doc.OnUpdate(c.onDocUpdate)
	return c
}

// documentURL builds the document's WebSocket URL and asks for the ack and hello extensions.
func documentURL(serverURL, docID string) (string, error) {
	if err := ValidateDocID(docID); err != nil {
		return "", err
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", fmt.Errorf("meridian/client: server URL: %w", err)
	}
	switch u.Scheme {
	case "ws", "wss":
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("meridian/client: server URL %q: want a ws, wss, http or https URL", serverURL)
	}
	if u.Host == "" {
		return "", fmt.Errorf("meridian/client: server URL %q has no host", serverURL)
	}
	if u.Query().Has("token") {
		return "", errors.New("meridian/client: put the token in WithToken or WithTokenSource, not in the URL (URLs end up in logs)")
	}
	q := u.Query()
	q.Set("meridian_ext", "ack,hello")
	// The document id alphabet needs no escaping and the server reads the raw path, so the id goes in as is.
	return u.Scheme + "://" + u.Host + strings.TrimSuffix(u.EscapedPath(), "/") + "/" + docID + "?" + q.Encode(), nil
}

// DocID is the document's id.
func (c *Client) DocID() string { return c.docID }

// Doc returns the local document. Touch it only inside Edit, Read or an OnChange callback: the client applies
// remote updates to it concurrently under its lock.
func (c *Client) Doc() *crdt.Doc { return c.doc }

// Awareness returns the document's presence states.
func (c *Client) Awareness() *Awareness { return c.aware }

// Edit runs fn as one transaction on the document; the changes are sent to the server (or queued while offline,
// and in the offline directory when there is one). It returns ErrClosed (or the reason the client stopped, such
// as ErrReadOnly) once the client is closed, and an error if the edit could not be written to the offline
// directory (the edit is still applied and queued in memory).
func (c *Client) Edit(fn func(doc *crdt.Doc)) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.status.State == StateClosed {
		return c.stoppedErr()
	}
	c.saveErr = nil
	c.doc.Transact(func(*crdt.Transaction) { fn(c.doc) })
	return c.saveErr
}

// Read runs fn with the document locked against remote updates.
func (c *Client) Read(fn func(doc *crdt.Doc)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fn(c.doc)
}

// OnChange calls fn after every transaction, local or remote, with the client's lock held: fn may read
// Change.Doc but must not block or call Edit or Read.
func (c *Client) OnChange(fn func(Change)) (cancel func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := c.nextID
	c.nextID++
	c.changes[id] = fn
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.changes, id)
	}
}

// Pending counts local updates not yet acknowledged as durable by the server.
func (c *Client) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queue.len()
}

// Close disconnects (withdrawing our awareness state) and stops the client. Unacknowledged edits stay in the
// offline directory, if any, for the next run; call WaitSaved first to be sure they reached the server.
func (c *Client) Close() error {
	c.cancel()
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

func (c *Client) stoppedErr() error {
	if c.status.Err != nil {
		return c.status.Err
	}
	return ErrClosed
}
