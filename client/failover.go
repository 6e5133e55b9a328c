package client

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// WithEndpoints adds more servers that hold the same documents (other regions or nodes of one cluster), in
// the same form as Dial's serverURL. The client then:
//
//   - probes every endpoint's /readyz at the first connection and prefers them from the fastest to the
//     slowest (unreachable ones last, in the order given);
//   - when its connection is lost, reconnects to the most preferred endpoint that answers, other than the
//     one just lost, with the usual backoff between attempts;
//   - while connected to a less preferred endpoint, probes the preferred ones every WithFailbackInterval and
//     moves back as soon as one answers.
//
// No edit is lost on a move: unacknowledged edits stay queued, and the first sync on the new endpoint sends
// everything that server lacks (Status.Endpoint says which one is in use).
func WithEndpoints(serverURLs ...string) Option {
	return func(c *config) { c.failover.extra = append(c.failover.extra, serverURLs...) }
}

// WithFailbackInterval sets how often a client connected to a less preferred endpoint checks whether a
// preferred one is back (default 10s).
func WithFailbackInterval(d time.Duration) Option { return func(c *config) { c.failover.failback = d } }

type failoverConfig struct {
	extra        []string
	failback     time.Duration
	probeTimeout time.Duration
}

const (
	defaultFailback     = 10 * time.Second
	defaultProbeTimeout = 2 * time.Second
)

// endpoint is one server: where the document's WebSocket is and where to ask whether the server is ready.
type endpoint struct {
	server string // as given to Dial or WithEndpoints
	ws     string // the document's WebSocket URL
	ready  string // the server's /readyz
}

// endpointSet chooses the endpoint of each connection. Used by the connection loop only, except probe.
type endpointSet struct {
	list     []endpoint // in preference order once ranked
	ranked   bool
	current  int // index in list of the last endpoint chosen
	client   *http.Client
	failback time.Duration
}

func newEndpointSet(serverURL, docID string, cfg failoverConfig) (*endpointSet, error) {
	set := &endpointSet{failback: cfg.failback, client: &http.Client{Timeout: cfg.probeTimeout}}
	if set.failback <= 0 {
		set.failback = defaultFailback
	}
	if set.client.Timeout <= 0 {
		set.client.Timeout = defaultProbeTimeout
	}
	for _, s := range append([]string{serverURL}, cfg.extra...) {
		ws, err := documentURL(s, docID)
		if err != nil {
			return nil, err
		}
		u, _ := url.Parse(ws)
		scheme := "http"
		if u.Scheme == "wss" {
			scheme = "https"
		}
		if slices.ContainsFunc(set.list, func(e endpoint) bool { return e.ws == ws }) {
			continue
		}
		set.list = append(set.list, endpoint{server: s, ws: ws, ready: scheme + "://" + u.Host + "/readyz"})
	}
	set.ranked = len(set.list) == 1
	return set, nil
}

// probe asks each listed endpoint's /readyz at once and returns the answer times (negative: not ready).
func (s *endpointSet) probe(ctx context.Context, which []int) []time.Duration {
	out := make([]time.Duration, len(which))
	var wg sync.WaitGroup
	for i, idx := range which {
		wg.Go(func() {
			start := time.Now()
			if err := s.probeOne(ctx, s.list[idx].ready); err != nil {
				out[i] = -1
				return
			}
			out[i] = time.Since(start)
		})
	}
	wg.Wait()
	return out
}

func (s *endpointSet) probeOne(ctx context.Context, readyURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, readyURL, nil)
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

// choose picks the endpoint of the next connection: the most preferred that is ready, avoiding the one that
// just failed when another is ready. The first call ranks the endpoints by answer time. With a single
// endpoint it probes nothing.
func (s *endpointSet) choose(ctx context.Context, lastFailed bool) endpoint {
	if len(s.list) == 1 {
		return s.list[0]
	}
	all := make([]int, len(s.list))
	for i := range all {
		all[i] = i
	}
	times := s.probe(ctx, all)
	if !s.ranked {
		order := slices.Clone(all)
		slices.SortStableFunc(order, func(a, b int) int {
			ta, tb := times[a], times[b]
			switch {
			case ta < 0 && tb < 0:
				return 0
			case ta < 0:
				return 1
			case tb < 0:
				return -1
			}
			return cmp.Compare(ta, tb)
		})
		list, t := make([]endpoint, len(order)), make([]time.Duration, len(order))
		for i, idx := range order {
			list[i], t[i] = s.list[idx], times[idx]
		}
		s.list, times, s.ranked = list, t, true
	}
	avoid := -1
	if lastFailed {
		avoid = s.current
	}
	pick := -1
	for i, t := range times {
		if t >= 0 && i != avoid {
			pick = i
			break
		}
	}
	if pick < 0 && avoid >= 0 && times[avoid] >= 0 {
		pick = avoid
	}
	if pick < 0 { // nothing answers: try the next one in turn, the backoff paces the attempts
		pick = (s.current + 1) % len(s.list)
		if !lastFailed {
			pick = s.current
		}
	}
	s.current = pick
	return s.list[pick]
}

// errFailback ends a connection to a less preferred endpoint because a preferred one is ready again.
var errFailback = errors.New("meridian/client: moving back to a preferred endpoint")

// watchFailback probes the endpoints preferred to the current one every failback interval while ctx lives,
// and calls back once when one is ready.
func (s *endpointSet) watchFailback(ctx context.Context, back func()) {
	if s.current == 0 {
		return
	}
	// Probe copies of the URLs: the connection loop may re-rank the list once this connection ends.
	preferred := make([]string, s.current)
	for i := range preferred {
		preferred[i] = s.list[i].ready
	}
	go func() {
		t := time.NewTicker(s.failback)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			for _, u := range preferred {
				if s.probeOne(ctx, u) == nil && ctx.Err() == nil {
					back()
					return
				}
			}
		}
	}()
}
