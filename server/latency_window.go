package server

import (
	"slices"
	"sync"
	"time"
)

// latencyWindow keeps the durable waits of recent client writes so replication can ask for their p99 (its
// repair budget backs off when it rises). Each p99 call reads the samples since the previous call (the
// replication tick) and starts a new window; a window with no writes reports 0.
type latencyWindow struct {
	mu      sync.Mutex
	samples []time.Duration
}

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
	samples := w.samples
	w.samples = make([]time.Duration, 0, len(samples))
	w.mu.Unlock()
	if len(samples) == 0 {
		return 0
	}
	slices.Sort(samples)
	return samples[(len(samples)-1)*99/100]
}
