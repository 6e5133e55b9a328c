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

// TestRealProcesses: three regions as `meridian serve` processes, each in its own network namespace, a
// stock Yjs client writing to each, region ap cut off from both others for 8 s by taking its link down
// (gossip and peer streams alike; ap keeps taking writes), region us killed with SIGKILL and restarted.
// During the cut ap must report its peers not live and they must report ap not live, within seconds;
// after the heal all live again within seconds, and again after a second short cut (a flap). Then every document must converge everywhere, every acknowledged token
// must be there and nothing else, and with no writes the exchanges must repair nothing. Run with -v for
// the summary.
func TestRealProcesses(t *testing.T) {
	root := moduleRoot(t)
	if _, err := os.Stat(root + "/node_modules/y-websocket"); err != nil {
		t.Fatal("node_modules/y-websocket is missing: run `npm ci` (make test does): ", err)
	}
	bin := buildMeridian(t, root)
	tok := mintToken(t, bin)

	lab := newNetLab(t, 3)

	eu := newRegion(t, bin, lab, 0, "eu", "")
	eu.start()
	waitUntil(t, "eu ready", 30*time.Second, func() bool { c, _ := eu.get("/readyz", ""); return c == http.StatusOK })
	us := newRegion(t, bin, lab, 1, "us", eu.gossip)
	ap := newRegion(t, bin, lab, 2, "ap", eu.gossip)
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

	// Faults, while the clients write. The cut is real: ap's link to the other regions goes down.
	sleepUntil(start.Add(3 * time.Second))
	lab.cut(ap.index)
	cutAt := time.Now()
	detected := waitUntil(t, "ap to report its peers not live and eu, us to report ap not live", 15*time.Second,
		func() bool {
			return liveness(ap, tok, eu.id(), us.id()) == "down" && liveness(eu, tok, ap.id()) == "down" && liveness(us, tok, ap.id()) == "down"
		})
	sleepUntil(cutAt.Add(8 * time.Second))
	lab.heal(ap.index)
	partitionHealed := time.Now()
	allLive := func() bool {
		for _, r := range regions {
			var peers []string
			for _, o := range regions {
				if o != r {
					peers = append(peers, o.id())
				}
			}
			if liveness(r, tok, peers...) != "up" {
				return false
			}
		}
		return true
	}
	relive := waitUntil(t, "every region to report both peers live again", 30*time.Second, allLive)
	// Flapping: a second, short cut (about as long as gossip's failure detection), then a heal; the
	// peers must be live again within seconds, not after serf's 30 s reconnect interval.
	lab.cut(ap.index)
	waitUntil(t, "ap to report its peers not live again", 15*time.Second,
		func() bool { return liveness(ap, tok, eu.id(), us.id()) == "down" })
	time.Sleep(2 * time.Second)
	lab.heal(ap.index)
	flapHealed := time.Now()
	reliveFlap := waitUntil(t, "every region live again after the flap", 30*time.Second, allLive)
	if relive > 10*time.Second || reliveFlap > 10*time.Second {
		t.Fatalf("peers took %v (after the cut) and %v (after the flap) to be live again: rejoin must take seconds", relive, reliveFlap)
	}
	// Gossip must follow too (the restarted node below learns its peers' addresses from it).
	regossip := waitUntil(t, "gossip to list every peer alive again after the flap", 20*time.Second, func() bool {
		for _, r := range regions {
			st, ok := r.status(tok)
			if !ok || len(st.Peers) != 2 || !st.Peers[0].Member || !st.Peers[1].Member {
				return false
			}
		}
		return true
	})
	sleepUntil(flapHealed.Add(2 * time.Second))
	us.kill()
	killedAt := time.Now()
	sleepUntil(killedAt.Add(2 * time.Second))
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
  faults        ap's link cut at %v for %v (network namespaces), cut again briefly; us SIGKILLed at %v, restarted 2s later; clients wrote 0–%v
  liveness      cut seen on both sides after %v (ap: peers not live; eu, us: ap not live); all live again %v after the heal, %v after a second short cut (flap); gossip listed every peer alive %v after the flap healed
  convergence   %v after the last write (%v after the partition healed, %v after the restart)
  quiescence    %.0f bytes/minute of peer traffic for the cluster, %d documents repaired while idle`,
		len(docs), len(attempted), len(acked), len(lost), head(lost), len(unexpected), head(unexpected),
		cutAt.Sub(start).Round(100*time.Millisecond), partitionHealed.Sub(cutAt).Round(100*time.Millisecond),
		killedAt.Sub(start).Round(100*time.Millisecond), writeFor,
		detected.Round(100*time.Millisecond), relive.Round(100*time.Millisecond), reliveFlap.Round(100*time.Millisecond),
		(reliveFlap + regossip).Round(100*time.Millisecond), converge.Round(time.Millisecond), lastWrite.Add(converge).Sub(partitionHealed).Round(time.Millisecond),
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

// liveness is "up" when r's /v1/cluster reports every one of peers live, "down" when it reports none
// of them live, and "" otherwise (mixed, or r did not answer).
func liveness(r *region, tok string, peers ...string) string {
	st, ok := r.status(tok)
	if !ok {
		return ""
	}
	live := map[string]bool{}
	for _, p := range st.Peers {
		live[p.ID] = p.Live
	}
	up := 0
	for _, p := range peers {
		if live[p] {
			up++
		}
	}
	switch up {
	case len(peers):
		return "up"
	case 0:
		return "down"
	}
	return ""
}

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
