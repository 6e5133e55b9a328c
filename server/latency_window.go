package server

import (
	"slices"
	"sync"
	"time"
)

// latencyWindow keeps the durable waits of recent client writes so replication can ask for their p99 (its
// repair budget backs off when it rises). The window slides: each p99 call (one per replication tick)
// reports the last latencyBuckets calls' samples together and starts a new bucket, so the p99 is over about a
// second of writes, not the maximum of a tick's few. A window with no writes reports 0.
type latencyWindow struct {
	mu      sync.Mutex
	samples []time.Duration
	older   [latencyBuckets - 1][]time.Duration
	next    int
}

const latencyBuckets = 10

// latencySamplesMax bounds a window's memory: past it, new samples overwrite old ones at random places,
// which keeps the window a fair sample of a busy tick.
const latencySamplesMax = 4096

func newLatencyWindow() *latencyWindow { return &latencyWindow{} }

func (w *latencyWindow) observe(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.samples) < latencySamplesMax {
		w.samples = append(w.samples, d)
		return
	}
	w.samples[int(d)%latencySamplesMax] = d
}

func (w *latencyWindow) p99() time.Duration {
	w.mu.Lock()
	all := append([]time.Duration(nil), w.samples...)
	for _, b := range w.older {
		all = append(all, b...)
	}
	w.older[w.next] = w.samples
	w.next = (w.next + 1) % len(w.older)
	w.samples = nil
	w.mu.Unlock()
	if len(all) == 0 {
		return 0
	}
	slices.Sort(all)
	return all[(len(all)-1)*99/100]
}
