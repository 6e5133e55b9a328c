package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A flood of 2,000 concurrent slow POSTs without a token (headers, then a byte a second) is answered and
// closed at once: the connections, file descriptors and goroutines it took come back within seconds while the
// attackers would go on trickling, and a normal authenticated client from another address is served with a
// bounded latency meanwhile. Before the token was checked first, each of these held its connection (and up
// to 8 MB) for as long as its body took.
func TestFloodOfSlowUnauthenticatedPostsStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 2,000 connections")
	}
	rs := serveReal(t, nil)
	tok := token(t, "write", false, false, "d")
	// The normal client comes from 127.0.0.2: the attackers' address may well be at its in-flight limit.
	normal := &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}).DialContext}}
	post := func() (time.Duration, error) {
		start := time.Now()
		req, _ := http.NewRequest(http.MethodPost, rs.url("/v1/docs/d/update"), bytes.NewReader(textUpdate(t, 11, "x")))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := normal.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, errors.New(resp.Status)
		}
		return time.Since(start), nil
	}
	if _, err := post(); err != nil { // warm: the document is loaded before the baseline is taken
		t.Fatal(err)
	}
	baseFDs, baseGoroutines := openFDs(t), runtime.NumGoroutine()

	const attackers = 2000
	const window = 15 * time.Second // how long an attacker would trickle if the server let it
	var open, dialFailed atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), window)
	defer cancel()
	for range attackers {
		wg.Go(func() {
			c, err := (&net.Dialer{}).DialContext(ctx, "tcp", rs.addr)
			if err != nil {
				dialFailed.Add(1)
				return
			}
			defer c.Close()
			open.Add(1)
			defer open.Add(-1)
			if _, err := io.WriteString(c, postHeader("d", "", 1<<20)+"x"); err != nil {
				return
			}
			buf := make([]byte, 512)
			for ctx.Err() == nil {
				_ = c.SetReadDeadline(time.Now().Add(time.Second))
				if _, err := c.Read(buf); err != nil {
					if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
						return // the server answered and closed
					}
					if _, err := c.Write([]byte{0}); err != nil {
						return
					}
				}
			}
		})
	}

	// Meanwhile the normal client posts every 50 ms; its slowest answer is bounded.
	var slowest time.Duration
	start := time.Now()
	for time.Since(start) < 3*time.Second {
		took, err := post()
		if err != nil {
			t.Fatalf("normal client during the flood: %v", err)
		}
		slowest = max(slowest, took)
		time.Sleep(50 * time.Millisecond)
	}
	if slowest > 2*time.Second {
		t.Errorf("normal client's slowest POST during the flood took %v", slowest)
	}

	// Every attacker connection is ended by the server long before the attackers would stop.
	deadline := time.Now().Add(8 * time.Second)
	for open.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := open.Load(); n > 0 {
		t.Fatalf("%d attacker connections still open %v after the flood started", n, time.Since(start))
	}
	if f := dialFailed.Load(); f > attackers/10 {
		t.Fatalf("%d of %d attacker dials failed: the flood did not happen", f, attackers)
	}
	cancel()
	wg.Wait()
	var fds, goroutines int
	for time.Now().Before(deadline.Add(2 * time.Second)) {
		fds, goroutines = openFDs(t), runtime.NumGoroutine()
		if fds <= baseFDs+8 && goroutines <= baseGoroutines+16 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if fds > baseFDs+8 || goroutines > baseGoroutines+16 {
		t.Fatalf("after the flood: %d fds (baseline %d), %d goroutines (baseline %d)", fds, baseFDs, goroutines, baseGoroutines)
	}
	t.Logf("2,000 slow token-less POSTs: all closed in %v; normal client's slowest POST %v; fds %d→%d, goroutines %d→%d",
		time.Since(start).Round(time.Millisecond), slowest.Round(time.Millisecond), baseFDs, fds, baseGoroutines, goroutines)
}

// openFDs counts this process's open file descriptors (Linux; the test is skipped elsewhere).
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count file descriptors: %v", err)
	}
	return len(entries)
}
