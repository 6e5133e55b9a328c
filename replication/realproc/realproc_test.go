package realproc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"testing"
	"time"
)

// TestRealProcesses: three regions as `meridian serve` processes on loopback, a stock Yjs client writing to
// each, region ap cut off from both others for 8 s (it keeps taking writes), region us killed with SIGKILL
// and restarted; then every document must converge everywhere, every acknowledged token must be there and
// nothing else, and with no writes the exchanges must repair nothing. Run with -v for the summary.
func TestRealProcesses(t *testing.T) {
	root := moduleRoot(t)
	if _, err := os.Stat(root + "/node_modules/y-websocket"); err != nil {
		t.Fatal("node_modules/y-websocket is missing: run `npm ci` (make test does): ", err)
	}
	bin := buildMeridian(t, root)
	tok := mintToken(t, bin)

	eu := newRegion(t, bin, "eu", "")
	eu.start()
	waitUntil(t, "eu ready", 30*time.Second, func() bool { c, _ := eu.get("/readyz", ""); return c == http.StatusOK })
	us := newRegion(t, bin, "us", eu.gossip)
	ap := newRegion(t, bin, "ap", eu.gossip)
	us.start()
	ap.start()
	regions := []*region{eu, us, ap}
	defer func() {
		if t.Failed() {
			for _, r := range regions {
				t.Logf("--- %s log tail ---\n%s", r.name, r.logTail())
			}
		}
	}()
	waitUntil(t, "every region ready with two live peers", 60*time.Second, func() bool {
		for _, r := range regions {
			st, ok := r.status(tok)
			if !ok || !st.Ready || len(st.Peers) != 2 || !st.Peers[0].Live || !st.Peers[1].Live {
				return false
			}
		}
		return true
	})

	docs := []string{"jepsen-0", "jepsen-1", "jepsen-2", "jepsen-3"}
	const writeFor, every = 22 * time.Second, 15 * time.Millisecond
	start := time.Now()
	var writers []func() writerResult
	for _, r := range regions {
		cmd, out := startWriter(t, root, r, tok, writeFor, every, docs)
		writers = append(writers, func() writerResult {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("writer at %s: %v\n%s", r.name, err, out)
			}
			var res writerResult
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("writer at %s printed %q: %v", r.name, out, err)
			}
			return res
		})
	}

	// Faults, while the clients write.
	sleepUntil(start.Add(3 * time.Second))
	ap.proxy.Isolate(true)
	eu.proxy.Block(ap.id())
	us.proxy.Block(ap.id())
	sleepUntil(start.Add(11 * time.Second))
	for _, r := range regions {
		r.proxy.Heal()
	}
	partitionHealed := time.Now()
	sleepUntil(start.Add(13 * time.Second))
	us.kill()
	sleepUntil(start.Add(15 * time.Second))
	us.start()
	restarted := time.Now()

	var acked, attempted []string
	for _, w := range writers {
		res := w()
		acked = append(acked, res.Acknowledged...)
		attempted = append(attempted, res.Attempted...)
	}
	lastWrite := time.Now()

	// Convergence: the same JSON for every document in every region, and equal tree tops.
	var final map[string][]string
	converge := waitUntil(t, "convergence", 90*time.Second, func() bool {
		var ok bool
		final, ok = converged(regions, tok, docs)
		return ok
	})
	seen := map[string]bool{}
	for _, tokens := range final {
		for _, tk := range tokens {
			seen[tk] = true
		}
	}
	wasAttempted := map[string]bool{}
	for _, a := range attempted {
		wasAttempted[a] = true
	}
	var lost, unexpected []string
	for _, a := range acked {
		if !seen[a] {
			lost = append(lost, a)
		}
	}
	for tk := range seen {
		if !wasAttempted[tk] {
			unexpected = append(unexpected, tk)
		}
	}

	// Quiescence: no writes, exchanges keep running; they must repair nothing and send little.
	before := totals(t, regions, tok)
	const idle = 10 * time.Second
	time.Sleep(idle)
	after := totals(t, regions, tok)
	idleBytesPerMinute := float64(after.bytes-before.bytes) * float64(time.Minute) / float64(idle)

	sort.Strings(lost)
	summary := fmt.Sprintf(`Jepsen-style summary (3 regions, %d documents, stock y-websocket clients):
  attempted     %d
  acknowledged  %d
  lost          %d %v
  unexpected    %d %v
  faults        ap isolated 3s–11s; us SIGKILLed at 13s, restarted at 15s; clients wrote 0–%v
  convergence   %v after the last write (%v after the partition healed, %v after the restart)
  quiescence    %.0f bytes/minute of peer traffic for the cluster, %d documents repaired while idle`,
		len(docs), len(attempted), len(acked), len(lost), head(lost), len(unexpected), head(unexpected),
		writeFor, converge.Round(time.Millisecond), lastWrite.Add(converge).Sub(partitionHealed).Round(time.Millisecond),
		lastWrite.Add(converge).Sub(restarted).Round(time.Millisecond), idleBytesPerMinute, after.repairs-before.repairs)
	t.Log(summary)
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged: the run measured nothing")
	}
	if len(lost) > 0 || len(unexpected) > 0 {
		t.Fatalf("lost %d acknowledged writes, %d unexpected", len(lost), len(unexpected))
	}
	if after.differing != before.differing {
		t.Fatalf("idle exchanges found %d differing documents", after.differing-before.differing)
	}
	if idleBytesPerMinute > 256<<10 {
		t.Fatalf("idle peer traffic %.0f bytes/minute, want under 256 KB", idleBytesPerMinute)
	}
}

func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}

// converged reads every document in every region; ok when all agree and the tree tops are equal.
func converged(regions []*region, tok string, docs []string) (map[string][]string, bool) {
	final := map[string][]string{}
	var top uint64
	for i, r := range regions {
		st, ok := r.status(tok)
		if !ok || (i > 0 && st.TreeTop != top) {
			return nil, false
		}
		top = st.TreeTop
	}
	for _, doc := range docs {
		var first string
		for i, r := range regions {
			code, body := r.get("/v1/docs/"+doc, tok)
			if code != http.StatusOK {
				return nil, false
			}
			if i == 0 {
				first = string(body)
			} else if string(body) != first {
				return nil, false
			}
		}
		var v struct{ Tokens []string }
		if err := json.Unmarshal([]byte(first), &v); err != nil {
			return nil, false
		}
		final[doc] = v.Tokens
	}
	return final, true
}

type counters struct{ bytes, differing, repairs uint64 }

func totals(t *testing.T, regions []*region, tok string) counters {
	t.Helper()
	var c counters
	for _, r := range regions {
		st, ok := r.status(tok)
		if !ok {
			t.Fatalf("GET /v1/cluster at %s failed", r.name)
		}
		c.bytes += st.BytesSent
		c.differing += st.DocsDiffering
		c.repairs += st.Repairs
	}
	return c
}
