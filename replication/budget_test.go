package replication

import (
	"testing"
	"time"
)

// TestBudgetBacksOffUnderClientLatencyAndRecovers drives the rule of budget.go tick by tick.
func TestBudgetBacksOffUnderClientLatencyAndRecovers(t *testing.T) {
	p99 := 2 * time.Millisecond
	cfg := Config{TickInterval: 100 * time.Millisecond, RepairDocsPerSecond: 64000, RepairBytesPerSecond: 64 << 20,
		RepairLatencyTarget: 10 * time.Millisecond, ClientLatency: func() time.Duration { return p99 }}
	b := newBudget(cfg)
	for range 20 { // idle: learns the idle p99, leaves the budget alone
		b.adapt(false)
	}
	if st := b.status(); st.Share != budgetStart || st.IdleP99Ms < 1.9 || st.IdleP99Ms > 2.1 {
		t.Fatalf("after idle ticks: %+v", st)
	}
	for range 64 { // repairing with fast clients: grows to the maximum
		b.adapt(true)
	}
	if docs, bytes := b.perTick(); docs != 6400 || bytes != (64<<20)/10 {
		t.Fatalf("unpressured budget %d docs, %d bytes per tick; want the maximum", docs, bytes)
	}
	p99 = 50 * time.Millisecond // clients slow down: halve, at most once a second
	b.adapt(true)
	if s := b.status().Share; s != 0.5 {
		t.Fatalf("first pressured tick: share %v, want 0.5", s)
	}
	for range 9 {
		b.adapt(true)
	}
	if s := b.status().Share; s != 0.5 {
		t.Fatalf("within the second after a halving: share %v, want still 0.5", s)
	}
	for range 100 {
		b.adapt(true)
	}
	if s := b.status().Share; s != budgetFloor {
		t.Fatalf("sustained pressure: share %v, want the floor %v (repair never stops)", s, budgetFloor)
	}
	if st := b.status(); st.PressuredTicks != 110 || st.TargetMs != 10 {
		t.Fatalf("status %+v", st)
	}
	p99 = 3 * time.Millisecond
	for range 64 {
		b.adapt(true)
	}
	if s := b.status().Share; s != 1 {
		t.Fatalf("pressure gone: share %v, want back at the maximum", s)
	}
}
