package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// errRefresh ends a connection whose token is about to expire: the client reconnects at once with a new one.
var errRefresh = errors.New("meridian/client: token refresh")

// run is the connection loop: connect, serve the connection until it ends, wait with backoff, again, until the
// client's context ends or the server refuses the client for good.
func (c *Client) run() {
	defer close(c.done)
	bo := backoff{min: c.cfg.backoffMin, max: c.cfg.backoffMax}
	attempt := 0
	var final error
	refusedToken := "\x00" // the last token the server refused as invalid or expired
	lastFailed := false
	for c.ctx.Err() == nil {
		ep := c.eps.choose(c.ctx, lastFailed)
		c.mu.Lock()
		c.updateStatusLocked(func(s *Status) { s.State, s.RetryIn, s.Endpoint = StateConnecting, 0, ep.server })
		c.mu.Unlock()
		synced, token, err := c.connectOnce(ep)
		lastFailed = !errors.Is(err, errRefresh)
		if c.ctx.Err() != nil {
			break
		}
		if synced {
			attempt = 0
		}
		// A token source may renew a refused token; one that hands back the very token just refused cannot.
		renewable := c.cfg.tokens != nil && !c.cfg.staticToken && token != refusedToken
		if isUnauthorized(err) {
			refusedToken = token
		}
		if permanent(err, renewable) {
			c.log.Info("connection refused for good", "err", err)
			final = err
			break
		}
		delay := time.Duration(0)
		if !errors.Is(err, errRefresh) {
			attempt++
			delay = bo.delay(attempt)
			c.log.Info("disconnected", "err", err, "retry_in", delay)
		}
		c.mu.Lock()
		c.updateStatusLocked(func(s *Status) {
			s.State, s.Err, s.Attempt, s.RetryIn = StateOffline, err, attempt, delay
		})
		c.mu.Unlock()
		select {
		case <-c.ctx.Done():
		case <-time.After(delay):
		}
	}
	c.finish(final)
}

// permanent reports whether retrying cannot help: the server refused with a 44xx code. An expired token is
// retried when a token source can supply a new one.
func permanent(err error, renewable bool) bool {
	var ce *CloseError
	if !errors.As(err, &ce) || !ce.Permanent() {
		return false
	}
	return ce.Code != closeUnauthorized || !renewable
}

func isUnauthorized(err error) bool {
	var ce *CloseError
	return errors.As(err, &ce) && ce.Code == closeUnauthorized
}

func (c *Client) finish(final error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeErr = c.offline.close()
	c.updateStatusLocked(func(s *Status) { s.State, s.Err, s.RetryIn = StateClosed, final, 0 })
}

// connectOnce makes one connection and serves it until it ends; it reports whether the connection reached sync.
func (c *Client) connectOnce(ep endpoint) (synced bool, token string, err error) {
	if c.cfg.tokens != nil {
		if token, err = c.cfg.tokens(c.ctx); err != nil {
			return false, "", fmt.Errorf("meridian/client: token source: %w", err)
		}
	}
	header := c.cfg.header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	dialer := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 15 * time.Second}
	ws, resp, err := dialer.DialContext(c.ctx, ep.ws, header)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if resp != nil {
			return false, token, fmt.Errorf("meridian/client: connect: %w (HTTP %s)", err, resp.Status)
		}
		return false, token, fmt.Errorf("meridian/client: connect: %w", err)
	}
	k := newConnection(ws)
	c.attach(k)
	hooks := writerHooks{stop: c.ctx.Done(), pingInterval: c.cfg.pingInterval, tick: c.aware.tick,
		goodbye: c.goodbye}
	// A connection ends early, losing nothing, to renew the token or to move back to a preferred endpoint.
	refresh := make(chan time.Time, 1)
	renew := func() {
		select {
		case refresh <- time.Now():
		default:
		}
	}
	hooks.refresh = refresh
	if exp, ok := tokenExpiry(token); ok && !c.cfg.staticToken {
		t := time.AfterFunc(refreshDelay(time.Now(), exp, c.cfg.refreshLead), renew)
		defer t.Stop()
	}
	failbackCtx, stopFailback := context.WithCancel(c.ctx)
	defer stopFailback()
	c.eps.watchFailback(failbackCtx, func() {
		c.log.Info("a preferred endpoint is ready again: moving back")
		renew()
	})
	go k.writeLoop(hooks)
	err = c.readLoop(k)
	close(k.readerDone)
	<-k.writerDone
	c.detach()
	if k.refreshed.Load() {
		err = errRefresh
	}
	return k.synced, token, err
}

// goodbye is the last frame of a clean close: our awareness state withdrawn, so others see us leave at once.
func (c *Client) goodbye() []byte {
	if u := c.aware.leaveUpdate(); u != nil {
		return encodeAwarenessMessage(u)
	}
	return nil
}

// attach makes k the client's connection and starts the sync: our step 1 and our awareness state.
func (c *Client) attach(k *connection) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn.Store(k)
	c.queue.newConnection()
	k.enqueue(encodeSync(syncStep1, c.doc.EncodeStateVector()))
	if local := c.aware.localUpdate(); local != nil {
		k.enqueue(encodeAwarenessMessage(local))
	}
	c.updateStatusLocked(func(s *Status) { s.State, s.Err, s.Attempt = StateConnected, nil, 0 })
}

func (c *Client) detach() {
	c.mu.Lock()
	c.conn.Store(nil)
	c.mu.Unlock()
	c.aware.dropRemote()
}
