package main

import (
	"context"
	"fmt"
	"time"
)

// coldLoadResult is the time a client waits for a document with a long history after a restart.
type coldLoadResult struct {
	updates     int
	write       time.Duration // sending the history and seeing its last update come back (durable)
	load        time.Duration // a fresh process: connect, sync step 1, until the server's step 2 arrives
	storedBytes int           // the document's state as one update, as the HTTP API returns it
}

// historyDoc is the document the cold-load scenario writes.
const historyDoc = "bench-history"

// runColdLoad writes a document of n single-character updates through one connection, restarts the server on
// the same data, and times the first client's sync. extra are server flags (compaction settings). The
// per-connection rate limit is lifted for the write: 100,000 updates at the default 200/s would take minutes.
func runColdLoad(ctx context.Context, t target, env benchEnv, n int, extra []string) (coldLoadResult, error) {
	res := coldLoadResult{updates: n}
	flags := append([]string{"--updates-per-second", "10000000", "--update-burst", "10000000"}, extra...)
	p, err := t.start(env.serverCPUs, env.workDir, "", flags)
	if err != nil {
		return res, err
	}
	dataDir := p.dataDir
	start := time.Now()
	err = writeHistory(ctx, t, p.addr, n)
	res.write = time.Since(start)
	p.stop()
	if err != nil {
		return res, err
	}

	p, err = t.start(env.serverCPUs, env.workDir, dataDir, flags)
	if err != nil {
		return res, err
	}
	defer p.stop()
	start = time.Now()
	c, err := dialClient(ctx, t, p.addr, historyDoc, 0)
	res.load = time.Since(start)
	if err != nil {
		return res, fmt.Errorf("cold load: %w", err)
	}
	c.conn.Close()
	if res.storedBytes, err = storedUpdateBytes(ctx, p.addr, historyDoc); err != nil {
		return res, err
	}
	if res.storedBytes < n {
		return res, fmt.Errorf("cold load: the stored document has %d bytes, too few for %d updates", res.storedBytes, n)
	}
	return res, nil
}

// historyInFlight bounds the updates sent but not yet echoed back. Meridian cuts off a client whose send queue
// fills (it echoes every update to its sender), so the writer must not run ahead of its own reader.
const historyInFlight = 128

// writeHistory types n updates (one character each, the last one a marker) and waits for the server to echo
// the marker back, which Meridian does only once every update before it is durable.
func writeHistory(ctx context.Context, t target, addr string, n int) error {
	c, err := dialClient(ctx, t, addr, historyDoc, 0)
	if err != nil {
		return err
	}
	defer c.conn.Close()
	echoed := make(chan struct{}, n)
	lastSeen := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		seen := false
		readErr <- c.readUpdates(func(payload []byte) {
			echoed <- struct{}{}
			scanMarkers(payload, func(_, seq int) {
				if seq == 1 && !seen {
					seen = true
					close(lastSeen)
				}
			})
		})
	}()
	for i := range n {
		if i >= historyInFlight {
			select {
			case <-echoed:
			case err := <-readErr:
				return fmt.Errorf("after %d updates of the history: %w", i, err)
			case <-time.After(time.Minute):
				return fmt.Errorf("update %d of the history was never echoed", i-historyInFlight+1)
			}
		}
		var frame []byte
		if i == n-1 {
			frame, _, err = c.typeMarker()
		} else {
			frame, err = c.typeChar(byte('a' + i%26))
		}
		if err == nil {
			err = c.write(frame)
		}
		if err != nil {
			return fmt.Errorf("writing update %d of the history: %w", i+1, err)
		}
	}
	select {
	case <-lastSeen:
		return nil
	case err := <-readErr:
		return fmt.Errorf("waiting for the last update of the history: %w", err)
	case <-time.After(time.Minute):
		return fmt.Errorf("the last update of the history never came back")
	case <-ctx.Done():
		return ctx.Err()
	}
}
