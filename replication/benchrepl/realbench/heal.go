package realbench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// HealConfig sizes one heal on a running pair that holds the same Docs documents (LatePrefix).
type HealConfig struct {
	Docs     int
	Diverged int // documents written on A while B is down or cut off
	// Cut: instead of stopping B, cut every peer stream between A and B with their proxies (the pair
	// must have been started with LateRegionConfig.Proxies); gossip keeps flowing, both keep running.
	Cut bool
	// Signal stops B when not Cut: SIGTERM (a clean stop: B leaves gossip) or SIGKILL (a crash).
	Signal  syscall.Signal
	Round   int // distinguishes the writers' client ids between heals of one pair
	Timeout time.Duration
	Check   int // diverged documents whose JSON is compared afterwards (≥ Diverged: all)
	Logf    func(format string, args ...any)
}

// HealResult is what one heal measured.
type HealResult struct {
	Docs, Diverged int
	Missing        uint64        // bytes of the updates B missed
	Down           time.Duration // B stopped → restarted, or the cut's length (the writes on A took this long)
	Ready          time.Duration // B's restart → its /readyz 200 (0 for a cut)
	Converged      time.Duration // B's restart or the heal of the cut → equal tree tops on A and B (0 when never)
	Bytes          uint64        // peer-stream bytes both sent, B's stop or the cut → convergence
	TimedOut       bool
	Checked        int
	Differ         []string
}

// Target is the in-memory bench's bytes target: 2 × missing + 64 KB.
func (r HealResult) Target() uint64 { return 2*r.Missing + 64<<10 }

// Heal stops B (or, with cfg.Cut, cuts the peer streams between A and B until both report the other
// not live), writes to cfg.Diverged of the documents on A, restarts B on its data (or heals the cut),
// and measures the time until A's and B's hash tree tops (GET /v1/cluster tree_top) are equal and the
// bytes moved. A stop is not a cut link: B leaves and comes back, and catches up through whatever the
// replication does for a returning node. The cut is one of the peer streams only (realproc.Proxy);
// gossip still lists both alive.
func Heal(ctx context.Context, p *Pair, cfg HealConfig) (HealResult, error) {
	res := HealResult{Docs: cfg.Docs, Diverged: cfg.Diverged}
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if _, ok := waitConverged(ctx, p, cfg.Timeout); !ok {
		return res, fmt.Errorf("A and B did not converge before the heal (tree tops differ after %v)", cfg.Timeout)
	}
	before, err := p.A.Metrics()
	if err != nil {
		return res, err
	}
	beforeB, err := p.B.Metrics()
	if err != nil {
		return res, err
	}
	stopped := time.Now()
	switch {
	case cfg.Cut:
		if p.A.Proxy == nil || p.B.Proxy == nil {
			return res, fmt.Errorf("a cut needs the pair started with proxies")
		}
		p.A.Proxy.Isolate(true)
		p.B.Proxy.Isolate(true)
		if !waitPeers(p, false, cfg.Timeout) {
			return res, fmt.Errorf("A and B still report each other live %v after the cut", cfg.Timeout)
		}
		logf("heal: peer streams cut, both report the other not live; writing to %d documents on A", cfg.Diverged)
	case cfg.Signal == syscall.SIGKILL:
		p.B.Kill()
	default:
		p.B.Stop()
	}
	if !cfg.Cut {
		logf("heal: B stopped (%v); writing to %d documents on A", cfg.Signal, cfg.Diverged)
		beforeB = nil // a restarted process counts from zero
	}
	var missing atomic.Uint64
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= cfg.Diverged {
					return
				}
				i := k * cfg.Docs / cfg.Diverged
				u, err := NewAppender(uint64(1<<40 + cfg.Round<<24 + i)).Next(fmt.Sprintf(" while-apart-%d-%d", cfg.Round, i))
				if err == nil {
					err = post(ctx, p.A, DocID(LatePrefix, i), u)
				}
				if err != nil {
					errs <- err
					return
				}
				missing.Add(uint64(len(u)))
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return res, err
	}
	res.Missing = missing.Load()
	res.Down = time.Since(stopped)
	if cfg.Cut {
		p.A.Proxy.Heal()
		p.B.Proxy.Heal()
		logf("heal: cut healed after %v; waiting for equal tree tops", res.Down.Round(time.Millisecond))
	} else {
		if err := p.B.Start(); err != nil {
			return res, err
		}
		start := time.Now()
		if err := p.B.WaitReady(cfg.Timeout); err != nil {
			return res, err
		}
		res.Ready = time.Since(start)
		logf("heal: B restarted, ready after %v; waiting for equal tree tops", res.Ready.Round(time.Millisecond))
	}
	d, ok := waitConverged(ctx, p, cfg.Timeout-res.Ready)
	res.TimedOut = !ok
	if ok {
		res.Converged = res.Ready + d
	}
	after, errA := p.A.Metrics()
	mb, errB := p.B.Metrics()
	if errA != nil || errB != nil {
		return res, fmt.Errorf("reading metrics: %v %v", errA, errB)
	}
	res.Bytes = uint64(after[MetricPeerBytesSent]-before[MetricPeerBytesSent]) + uint64(mb[MetricPeerBytesSent]-beforeB[MetricPeerBytesSent])
	var ids []string
	for k := range cfg.Diverged {
		if len(ids) < cfg.Check {
			ids = append(ids, DocID(LatePrefix, k*cfg.Docs/cfg.Diverged))
		}
	}
	res.Checked = len(ids)
	res.Differ = CompareDocs(p.A, p.B, ids)
	return res, nil
}

// waitConverged polls both nodes' GET /v1/cluster until their tree tops are equal.
func waitConverged(ctx context.Context, p *Pair, timeout time.Duration) (time.Duration, bool) {
	start := time.Now()
	for {
		ca, errA := p.A.Cluster()
		cb, errB := p.B.Cluster()
		if errA == nil && errB == nil && ca.TreeTop == cb.TreeTop {
			return time.Since(start), true
		}
		if time.Since(start) > timeout || ctx.Err() != nil {
			return time.Since(start), false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitPeers polls both nodes' GET /v1/cluster until each reports the other live (or, live false, not live).
func waitPeers(p *Pair, live bool, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		ca, errA := p.A.Cluster()
		cb, errB := p.B.Cluster()
		if errA == nil && errB == nil && len(ca.Peers) == 1 && len(cb.Peers) == 1 &&
			ca.Peers[0].Live == live && cb.Peers[0].Live == live {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
