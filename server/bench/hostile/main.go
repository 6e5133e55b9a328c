// Command hostile measures how a Meridian node holds up under the two HTTP attacks of issue #15, against a
// server already running on loopback:
//
//   - trickle: N token-less POSTs that declare a large body and send it a byte every -every;
//   - bigpost: N concurrent POSTs of an 8 MB body with a junk token.
//
// While the attack runs, a normal client (from -normal-from, another loopback address so that per-address
// limits aimed at the attacker do not catch it) posts a small authenticated update every 50 ms; the tool
// prints its latency percentiles and failures, and the server's peak RSS and open file descriptors (-pid).
//
//	meridian serve --listen 127.0.0.1:18080 --data /tmp/d & # with MERIDIAN_JWT_SECRET set
//	hostile -addr 127.0.0.1:18080 -pid $! -token "$(meridian token --doc bench --perm write)" -attack trickle -n 5000
//
// It is loopback only, and bounded: N connections at most, for -duration.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meridian-sync/meridian/crdt"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "server address (loopback only)")
	pid := flag.Int("pid", 0, "server process id, to sample its RSS and open fds (0: none)")
	tok := flag.String("token", "", "a write token for -doc, for the normal client")
	doc := flag.String("doc", "bench", "document the normal client writes")
	attack := flag.String("attack", "trickle", "trickle or bigpost")
	n := flag.Int("n", 5000, "attacking connections (at most 20000)")
	every := flag.Duration("every", 5*time.Second, "trickle: one body byte this often")
	size := flag.Int("size", 8<<20, "bigpost: body bytes")
	duration := flag.Duration("duration", 30*time.Second, "how long the attack and the measurement last")
	normalFrom := flag.String("normal-from", "127.0.0.2", "local address of the normal client")
	flag.Parse()
	if host, _, err := net.SplitHostPort(*addr); err != nil || !net.ParseIP(host).IsLoopback() {
		fail("-addr must be a loopback host:port")
	}
	if *n < 1 || *n > 20000 {
		fail("-n must be between 1 and 20000")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()

	body := make([]byte, *size) // shared, read-only: every bigpost reads it through its own reader
	var st attackStats
	var wg sync.WaitGroup
	begin := time.Now()
	for range *n {
		wg.Go(func() {
			switch *attack {
			case "trickle":
				trickle(ctx, *addr, *every, &st)
			case "bigpost":
				bigPost(ctx, *addr, body, &st)
			default:
				fail("-attack must be trickle or bigpost")
			}
		})
	}
	samples := make(chan serverSample, 1)
	go func() { samples <- sampleServer(ctx, *pid) }()
	lat, failures := normalClient(ctx, *addr, *normalFrom, *doc, *tok)
	wg.Wait()
	peak := <-samples

	slices.Sort(lat)
	fmt.Printf("attack=%s n=%d duration=%v\n", *attack, *n, *duration)
	lastEnd := "-"
	if ns := st.lastEnd.Load(); ns > 0 {
		lastEnd = time.Unix(0, ns).Sub(begin).Round(time.Millisecond).String()
	}
	fmt.Printf("attacker: connected=%d dial_failed=%d ended_by_server=%d (the last after %s) still_open_at_end=%d\n",
		st.connected.Load(), st.dialFailed.Load(), st.endedByServer.Load(), lastEnd, st.openAtEnd.Load())
	fmt.Printf("server: peak_rss=%.0f MB peak_fds=%d\n", float64(peak.rss)/(1<<20), peak.fds)
	fmt.Printf("normal client: requests=%d failed=%d p50=%v p99=%v max=%v\n", len(lat), failures,
		pct(lat, 0.50), pct(lat, 0.99), pct(lat, 1))
}

type attackStats struct {
	connected, dialFailed, endedByServer, openAtEnd atomic.Int64
	lastEnd                                         atomic.Int64 // unix nanoseconds of the last connection the server ended
}

// ended counts a connection the server ended (answered or closed) and when.
func (st *attackStats) ended() {
	st.endedByServer.Add(1)
	now := time.Now().UnixNano()
	for {
		last := st.lastEnd.Load()
		if now <= last || st.lastEnd.CompareAndSwap(last, now) {
			return
		}
	}
}

// trickle declares a 1 MB body without a token and sends it a byte every `every`, until the server ends the
// connection or the attack ends.
func trickle(ctx context.Context, addr string, every time.Duration, st *attackStats) {
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		st.dialFailed.Add(1)
		return
	}
	defer c.Close()
	st.connected.Add(1)
	hdr := fmt.Sprintf("POST /v1/docs/bench/update HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", 1<<20)
	if _, err := io.WriteString(c, hdr); err != nil {
		st.ended()
		return
	}
	buf := make([]byte, 4096)
	for {
		if ctx.Err() != nil {
			st.openAtEnd.Add(1)
			return
		}
		if _, err := c.Write([]byte{'x'}); err != nil {
			st.ended()
			return
		}
		_ = c.SetReadDeadline(time.Now().Add(every))
		for { // drain an answer; EOF or reset means the server ended the connection
			_, err := c.Read(buf)
			if err == nil {
				continue
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				break
			}
			st.ended()
			return
		}
	}
}

// bigPost sends one POST of body with a junk token.
func bigPost(ctx context.Context, addr string, body []byte, st *attackStats) {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/v1/docs/bench/update", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer junk.junk.junk")
	resp, err := client.Do(req)
	st.connected.Add(1)
	if err != nil {
		if ctx.Err() != nil {
			st.openAtEnd.Add(1)
		} else {
			st.ended()
		}
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	st.ended()
}

// normalClient posts a small authenticated update every 50 ms until ctx ends, from a local address of its own.
func normalClient(ctx context.Context, addr, from, doc, tok string) ([]time.Duration, int) {
	d := crdt.NewDoc()
	var update []byte
	d.OnUpdate(func(b []byte, _ any) { update = b })
	if err := d.GetText("t").Insert(0, "normal", nil); err != nil {
		fail(err.Error())
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true,
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).DialContext}}
	var lat []time.Duration
	failures := 0
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return lat, failures
		case <-tick.C:
		}
		start := time.Now()
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/v1/docs/"+doc+"/update", bytes.NewReader(update))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := client.Do(req)
		if err != nil {
			failures++
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			failures++
			continue
		}
		lat = append(lat, time.Since(start))
	}
}

type serverSample struct {
	rss int64
	fds int
}

// sampleServer records the server's peak RSS and open fds every 100 ms until ctx ends.
func sampleServer(ctx context.Context, pid int) serverSample {
	var peak serverSample
	if pid == 0 {
		return peak
	}
	for ctx.Err() == nil {
		if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil {
			peak.fds = max(peak.fds, len(ents))
		}
		if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
			for line := range strings.SplitSeq(string(data), "\n") {
				if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
					kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
					peak.rss = max(peak.rss, kb<<10)
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return peak
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := min(len(sorted)-1, int(p*float64(len(sorted))))
	return sorted[i].Round(100 * time.Microsecond)
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "hostile:", msg)
	os.Exit(2)
}
