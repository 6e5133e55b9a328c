package realbench

import (
	"context"
	"fmt"
	"time"
)

// LateRegionConfig sizes the late-empty-region scenario.
type LateRegionConfig struct {
	Bin, Dir string
	Docs     int // documents written to A before B starts
	DocBytes int // text per document
	Writers  int // concurrent HTTP writers of the preload
	// The latency writer: Rate writes/s over Conns connections to documents of its own, for Idle before
	// B starts (A idle), then from B's start until B is ready.
	Rate  float64
	Conns int
	Idle  time.Duration
	// Timeout bounds the wait for B (ready and holding every document).
	Timeout time.Duration
	// Check is how many documents (chosen at random) have their JSON compared on A and B; ≥ Docs: all.
	Check int
	// Proxies puts a realproc.Proxy in front of both regions' peer listeners (for Heal's cut mode).
	Proxies bool
	// CPUsA and CPUsB pin region A and region B (taskset lists; empty: unpinned). Two regions are two
	// machines: pinned apart, B's copying does not take A's CPU, and A's latency shows what serving the
	// bootstrap costs A itself.
	CPUsA, CPUsB string
	// ExtraA and ExtraB are more serve flags for A and B (for example --debug-addr 127.0.0.1:6061 to
	// profile a bootstrap).
	ExtraA, ExtraB []string
	Logf           func(format string, args ...any)
}

// Pair is two running regions of one cluster, A and the region that joined it, B.
type Pair struct{ A, B *Node }

// Stop stops both processes (and their proxies).
func (p *Pair) Stop() {
	if p.B != nil {
		p.B.Close()
	}
	if p.A != nil {
		p.A.Close()
	}
}

// LateRegionResult is what one run measured.
type LateRegionResult struct {
	Docs             int
	PreloadBytes     uint64        // update bytes written to A
	PreloadTime      time.Duration // time to write them
	Ready            time.Duration // B's start → /readyz 200 (0 when it never was)
	HoldsAll         time.Duration // B's start → B lists every document (0 when it never did)
	BListed          int           // documents B listed at the end
	TimedOut         bool
	BytesAB, BytesBA uint64 // peer-stream bytes A sent, B sent, from B's start until B held every document
	Idle, Join       Latencies
	Checked          int
	Differ           []string // checked documents whose JSON differs between A and B
}

// Targets of issue #14.
const (
	TargetReady      = 30 * time.Second
	TargetJoinMax    = 250 * time.Millisecond
	TargetJoinP99Add = 10 * time.Millisecond
)

// ReadyOK: B ready and holding everything within the target.
func (r LateRegionResult) ReadyOK() bool {
	return !r.TimedOut && r.HoldsAll > 0 && r.HoldsAll <= TargetReady && r.Ready <= TargetReady
}

// P99OK: A's p99 during the join ≤ 2 × idle p99 + 10 ms.
func (r LateRegionResult) P99OK() bool {
	return r.Join.N > 0 && r.Join.Errors == 0 && r.Join.P99 <= 2*r.Idle.P99+TargetJoinP99Add
}

// MaxOK: no write of A's over 250 ms during the join.
func (r LateRegionResult) MaxOK() bool {
	return r.Join.N > 0 && r.Join.Errors == 0 && r.Join.Max <= TargetJoinMax
}

// LatePrefix names the preloaded documents.
const LatePrefix = "late-"

// LateRegion starts region A, writes cfg.Docs documents to it over HTTP, measures A's write latency idle,
// then starts an empty region B joining A and measures the time until B is ready and lists every
// document, the peer bytes, and A's write latency meanwhile; last it compares the JSON of cfg.Check
// documents on both. The pair is returned running (for Heal); the caller stops it. A non-nil error means
// the run could not measure (a process failed); a B that is late is a result (TimedOut), not an error.
func LateRegion(ctx context.Context, cfg LateRegionConfig) (LateRegionResult, *Pair, error) {
	res := LateRegionResult{Docs: cfg.Docs}
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	pair := &Pair{}
	a, err := StartNode(NodeConfig{Bin: cfg.Bin, Region: "a", Dir: cfg.Dir, ProxyPeer: cfg.Proxies, CPUs: cfg.CPUsA,
		Extra: cfg.ExtraA})
	if err != nil {
		return res, pair, err
	}
	pair.A = a
	if err := a.WaitReady(30 * time.Second); err != nil {
		return res, pair, err
	}
	logf("late region: writing %d documents of %d bytes to A with %d writers", cfg.Docs, cfg.DocBytes, cfg.Writers)
	t0 := time.Now()
	res.PreloadBytes, err = Preload(ctx, a, LatePrefix, 0, cfg.Docs, cfg.DocBytes, cfg.Writers)
	res.PreloadTime = time.Since(t0)
	if err != nil {
		return res, pair, fmt.Errorf("preload: %w", err)
	}
	logf("late region: preload took %v (%.0f docs/s, %.1f MB); A idle latency for %v",
		res.PreloadTime.Round(time.Millisecond), float64(cfg.Docs)/res.PreloadTime.Seconds(), float64(res.PreloadBytes)/1e6, cfg.Idle)

	w := NewRateWriter(a, cfg.Rate, cfg.Conns, 4, "latw-")
	idleCtx, cancel := context.WithTimeout(ctx, cfg.Idle)
	res.Idle = w.Run(idleCtx)
	cancel()

	before, err := a.Metrics()
	if err != nil {
		return res, pair, err
	}
	b, err := StartNode(NodeConfig{Bin: cfg.Bin, Region: "b", Dir: cfg.Dir, Join: a, ProxyPeer: cfg.Proxies, CPUs: cfg.CPUsB,
		Extra: cfg.ExtraB})
	if err != nil {
		return res, pair, err
	}
	pair.B = b
	start := time.Now()
	logf("late region: B started, joining A")
	joinCtx, stopWriter := context.WithCancel(ctx)
	joinLat := make(chan Latencies, 1)
	go func() { joinLat <- w.Run(joinCtx) }()

	deadline := start.Add(cfg.Timeout)
	lastLog := start
	for {
		if b.Ready() {
			res.Ready = time.Since(start)
			break
		}
		if !b.Running() {
			stopWriter()
			<-joinLat
			return res, pair, fmt.Errorf("B exited while joining:\n%s", b.LogTail(3000))
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			res.TimedOut = true
			break
		}
		if time.Since(lastLog) > 5*time.Second {
			lastLog = time.Now()
			if st, err := b.Cluster(); err == nil {
				logf("late region: %v: B has received %d repairs, %.1f MB", time.Since(start).Round(time.Second), st.Repairs, float64(st.RepairBytes)/1e6)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopWriter()
	res.Join = <-joinLat
	if !res.TimedOut {
		logf("late region: B ready after %v; listing its documents", res.Ready.Round(time.Millisecond))
	}
	for !res.TimedOut {
		ids, err := b.ListDocs(LatePrefix)
		res.BListed = len(ids)
		if err == nil && len(ids) >= cfg.Docs {
			res.HoldsAll = time.Since(start)
			break
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			res.TimedOut = true
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if res.TimedOut {
		ids, _ := b.ListDocs(LatePrefix)
		res.BListed = len(ids)
		logf("late region: timed out after %v with B listing %d of %d documents", cfg.Timeout, res.BListed, cfg.Docs)
	}
	after, errA := a.Metrics()
	mb, errB := b.Metrics()
	if errA != nil || errB != nil {
		return res, pair, fmt.Errorf("reading metrics: %v %v", errA, errB)
	}
	res.BytesAB = uint64(after[MetricPeerBytesSent] - before[MetricPeerBytesSent])
	res.BytesBA = uint64(mb[MetricPeerBytesSent])

	ids := Sample(LatePrefix, cfg.Docs, cfg.Check, 14)
	logf("late region: comparing the JSON of %d documents on A and B", len(ids))
	res.Checked = len(ids)
	res.Differ = CompareDocs(a, b, ids)
	return res, pair, nil
}
