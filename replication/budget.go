package replication

import (
	"sync"
	"time"
)

// budget adapts repair and bootstrap to what the node has to spare, so a large repair goes as fast as
// the node allows and no faster than its clients tolerate. The rule, applied every tick while repair
// work is under way (core.Node.Repairing):
//
//   - pressure: the node's client write latency (Config.ClientLatency, the p99 of the durable waits of
//     client writes over the last window) is above the target, which is the larger of
//     Config.RepairLatencyTarget (default 10 ms) and 1.5 × the idle p99 (an average of the p99 over
//     ticks with no repair under way), so a disk slow even when idle does not stop repair;
//   - under pressure the budget halves (down to a 64th of the maximum, so repair never stops), at most
//     once per second, since the p99 it reads covers about a second of writes; otherwise it grows by a 64th of the maximum per tick (from the floor to the maximum in
//     6.4 s at the default 100 ms tick: slower than the second the p99 takes to show a change, so it
//     settles instead of swinging between the floor and the maximum);
//   - the maximum is RepairDocsPerSecond and RepairBytesPerSecond (defaults 50,000 documents/s and
//     64 MB/s); a repair starts at the floor and ramps up (a bootstrap that started at an eighth of the
//     maximum put a burst of reads on the serving node before the first p99 could show it);
//   - the idle p99 is learnt only after repair has been quiet for a second, so the tail of a repair does
//     not pass for idle.
//
// The figures are in Status (GET /v1/cluster, "repair_budget") and the metrics
// meridian_replication_repair_budget_bytes_per_second and meridian_replication_client_write_p99_seconds.
type budget struct {
	maxDocs, maxBytes float64 // per second
	tick              time.Duration
	target            time.Duration
	latency           func() time.Duration

	mu struct {
		sync.Mutex
		share     float64 // of the maximum, in [1/64, 1]
		idleP99   time.Duration
		lastP99   time.Duration
		pressured uint64 // ticks under pressure, since start
		calm      int    // ticks to wait before the next halving
		quiet     int    // consecutive ticks without repair
	}
}

const (
	budgetQuietTicks = 10
	budgetFloor      = 1.0 / 64
	budgetStep       = 1.0 / 64
	budgetStart      = budgetFloor
)

func newBudget(cfg Config) *budget {
	b := &budget{maxDocs: float64(cfg.RepairDocsPerSecond), maxBytes: float64(cfg.RepairBytesPerSecond),
		tick: cfg.TickInterval, target: cfg.RepairLatencyTarget, latency: cfg.ClientLatency}
	b.mu.share = budgetStart
	return b
}

// adapt applies the rule for one tick and returns the budgets for it.
func (b *budget) adapt(repairing bool) (docsPerTick, bytesPerTick int) {
	var p99 time.Duration
	if b.latency != nil {
		p99 = b.latency()
	}
	b.mu.Lock()
	b.mu.lastP99 = p99
	if repairing {
		b.mu.quiet = 0
	} else {
		b.mu.quiet++
	}
	switch {
	case !repairing && b.mu.quiet < budgetQuietTicks:
	case !repairing:
		// The idle latency: a slow average, so one quiet tick does not move it.
		if b.mu.idleP99 == 0 {
			b.mu.idleP99 = p99
		} else {
			b.mu.idleP99 += (p99 - b.mu.idleP99) / 16
		}
	case p99 > b.targetLocked():
		b.mu.pressured++
		if b.mu.calm <= 0 {
			b.mu.share = max(b.mu.share/2, budgetFloor)
			b.mu.calm = int(time.Second / max(b.tick, time.Millisecond))
		}
		b.mu.calm--
	default:
		b.mu.calm--
		b.mu.share = min(b.mu.share+budgetStep, 1)
	}
	b.mu.Unlock()
	return b.perTick()
}

func (b *budget) targetLocked() time.Duration {
	return max(b.target, b.mu.idleP99*3/2)
}

// perTick is the current budget in the core's units.
func (b *budget) perTick() (docsPerTick, bytesPerTick int) {
	b.mu.Lock()
	share := b.mu.share
	b.mu.Unlock()
	perTick := b.tick.Seconds() * share
	return max(int(b.maxDocs*perTick), 1), max(int(b.maxBytes*perTick), 1)
}

// BudgetStatus is the repair budget in GET /v1/cluster.
type BudgetStatus struct {
	DocsPerSecond  int     `json:"docs_per_second"`
	BytesPerSecond int     `json:"bytes_per_second"`
	Share          float64 `json:"share_of_max"`
	ClientP99Ms    float64 `json:"client_write_p99_ms"`
	IdleP99Ms      float64 `json:"idle_client_write_p99_ms"`
	TargetMs       float64 `json:"target_p99_ms"`
	PressuredTicks uint64  `json:"pressured_ticks"`
	Rule           string  `json:"rule"`
}

const budgetRule = "while repairing, halve when client write p99 > max(target, 1.5 x idle p99), else add 1/64 of max per tick; floor 1/64 of max"

func (b *budget) status() BudgetStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return BudgetStatus{DocsPerSecond: int(b.maxDocs * b.mu.share), BytesPerSecond: int(b.maxBytes * b.mu.share),
		Share: b.mu.share, ClientP99Ms: ms(b.mu.lastP99), IdleP99Ms: ms(b.mu.idleP99), TargetMs: ms(b.targetLocked()),
		PressuredTicks: b.mu.pressured, Rule: budgetRule}
}
