package main

import (
	"testing"
	"time"
)

// The bench's own measurements must hold what they claim: a heal converges within the bytes target
// and every realtime write is seen in both other regions.
func TestHealConvergesWithinTheBytesTarget(t *testing.T) {
	r, err := heal(2000, 50, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if r.missing == 0 || r.sent == 0 {
		t.Fatalf("nothing measured: %+v", r)
	}
	if r.sent > r.target() {
		t.Fatalf("heal of 50 of 2000 documents sent %d bytes, target %d", r.sent, r.target())
	}
}

func TestRealtimeSeesEveryWriteInEveryRegion(t *testing.T) {
	r, err := realtime(50, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if r.samples != 100 || r.p50 <= 0 || r.p99 < r.p50 || r.max < r.p99 {
		t.Fatalf("implausible latency result %+v", r)
	}
}
