package main

import (
	"strings"
	"testing"
	"time"
)

func step(rate, updates float64, p99 time.Duration, cpu time.Duration, deliveries int64) fanoutStep {
	return fanoutStep{ratePerClient: rate, updatesPerSec: updates, deliveredPct: 100, p99: p99, serverCPU: cpu, deliveries: deliveries}
}

// The ratios compare Meridian's best rate within the p99 limit with the best peer's, and CPU per delivery with
// each peer at the highest rate the two ran (a peer that stopped early does not pull the other comparison down).
func TestRenderRatios(t *testing.T) {
	cfg := fanoutConfig{p99Limit: 50 * time.Millisecond}
	results := []targetResult{
		{target: target{name: "meridian"}, steps: []fanoutStep{
			step(3, 3000, 10*time.Millisecond, 300*time.Millisecond, 27000),
			step(4, 4000, 20*time.Millisecond, 400*time.Millisecond, 36000),
			step(8, 8000, 40*time.Millisecond, 700*time.Millisecond, 72000),
			step(10, 10000, 80*time.Millisecond, 900*time.Millisecond, 90000)}},
		{target: target{name: "node-a"}, steps: []fanoutStep{
			step(3, 3000, 12*time.Millisecond, 540*time.Millisecond, 27000),
			step(4, 4000, 60*time.Millisecond, 720*time.Millisecond, 36000)}},
		{target: target{name: "node-b"}, steps: []fanoutStep{
			step(3, 3000, 30*time.Millisecond, 810*time.Millisecond, 27000)}},
	}
	got := renderRatios(results, cfg)
	for _, want := range []string{
		"meridian 8000 updates/s, best Node server (node-a) 3000: 2.7x",
		"against node-a, at 4 updates/s per client: meridian 11.1µs, node-a 20.0µs: 1.80x",
		"against node-b, at 3 updates/s per client: meridian 11.1µs, node-b 30.0µs: 2.70x",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("ratios lack %q:\n%s", want, got)
		}
	}
}

// Several rounds give one line each and the medians of the ratios.
func TestRenderRounds(t *testing.T) {
	cfg := fanoutConfig{p99Limit: 50 * time.Millisecond}
	round := func(ourBest float64) []targetResult {
		return []targetResult{
			{target: target{name: "meridian"}, steps: []fanoutStep{
				step(5, 5000, 20*time.Millisecond, 450*time.Millisecond, 45000),
				step(ourBest, ourBest*1000, 40*time.Millisecond, 900*time.Millisecond, 90000),
				step(20, 20000, 90*time.Millisecond, 1800*time.Millisecond, 180000)}},
			{target: target{name: "node-a"}, steps: []fanoutStep{
				step(5, 5000, 40*time.Millisecond, 900*time.Millisecond, 45000),
				step(6, 6000, 70*time.Millisecond, 1100*time.Millisecond, 54000)}},
		}
	}
	got := renderRounds([][]targetResult{round(10), round(15), round(20 - 1)}, cfg)
	for _, want := range []string{"1       ", "median", "3.00x", "20.00ms", "2.00x"} {
		if !strings.Contains(got, want) {
			t.Errorf("rounds lack %q:\n%s", want, got)
		}
	}
	if renderRounds([][]targetResult{round(10)}, cfg) != "" {
		t.Error("one round printed a rounds table")
	}
}
