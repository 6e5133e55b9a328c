package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// Storage health. Pebble cannot survive a failed write-ahead-log or MANIFEST write: it panics while its
// own mutex is unlocked (rotateWAL) or calls Logger.Fatalf, and a full disk that stops its flushes stalls
// every commit without an error. So the store keeps Pebble away from a full disk instead:
//
//   - writes are refused (ErrFull) before they reach Pebble once the filesystem has less than
//     Options.MinFreeBytes free, measured before every batch and every Options.HealthInterval;
//   - a reserve file (diskspace.go) holds Options.ReserveBytes; when a write finds the disk full anyway
//     (another process filled it), the reserve is deleted inside vfs.OnDiskFull and the write retried, so
//     what Pebble started (a WAL record, a flush, a MANIFEST edit) finishes and the node refuses cleanly;
//   - while full, every interval the store checks for room for the reserve plus a margin, recreates the
//     reserve (a small synced write that proves the disk takes writes again) and, unless Pebble is still
//     in a write stall, accepts writes again. No restart.
//
// A write Pebble reports as fatal (the disk failed, or filled past the reserve) leaves Pebble unable to
// take more: the store turns failed (ErrFailed) until restarted, keeps serving reads, and never calls
// Pebble's write path again. State changes are logged once each and reported to Options.OnHealth.

// Sentinel errors of a refused write. ErrFull is transient: retry once space is freed.
var (
	ErrFull   = errors.New("meridian/store: storage full")
	ErrFailed = errors.New("meridian/store: storage failed")
)

// State is the store's ability to take writes.
type State int32

const (
	StateOK     State = iota // writes accepted
	StateFull                // writes refused until space is freed (recovers by itself)
	StateFailed              // a write failed in a way Pebble cannot continue from: refused until restart
)

func (s State) String() string {
	switch s {
	case StateOK:
		return "ok"
	case StateFull:
		return "full"
	case StateFailed:
		return "failed"
	}
	return fmt.Sprintf("state(%d)", int32(s))
}

// Health is the store's storage state, as Store.Health and Options.OnHealth report it.
type Health struct {
	State  State
	Reason string // a sentence saying why writes are refused; empty when OK
	Since  time.Time
	// AvailBytes and TotalBytes are the filesystem's last measurement (0 when the FS cannot tell).
	AvailBytes, TotalBytes uint64
}

// health tracks the state. The state itself is an atomic, read on every write; the rest is guarded by mu.
type health struct {
	state   atomic.Int32
	stalled atomic.Bool  // Pebble is in a write stall (its flushes are behind)
	opened  atomic.Bool  // pebble.Open returned: from here on a Pebble fatal error parks instead of crashing
	parked  atomic.Int32 // Pebble goroutines parked in fatal: closing the database would wait for them
	space   *diskSpace
	log     *slog.Logger
	notify  func(Health)

	mu struct {
		sync.Mutex
		h          Health
		lastBgLog  time.Time // background errors other than ENOSPC are logged at most once a minute
		suppressed int
	}
}

func newHealth(space *diskSpace, log *slog.Logger, notify func(Health)) *health {
	h := &health{space: space, log: log, notify: notify}
	h.mu.h = Health{State: StateOK, Since: time.Now()}
	return h
}

// refusal is the error a write gets in the current state, nil when writes are accepted.
func (h *health) refusal() error {
	switch State(h.state.Load()) {
	case StateFull:
		return ErrFull
	case StateFailed:
		return ErrFailed
	}
	return nil
}

func (h *health) get() Health {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.mu.h
	out.State = State(h.state.Load())
	return out
}

// markFull turns OK into full and gives up the reserve so that Pebble can finish what it started.
func (h *health) markFull(reason string) {
	if !h.state.CompareAndSwap(int32(StateOK), int32(StateFull)) {
		return
	}
	h.space.releaseReserve()
	h.change(StateFull, reason, slog.LevelWarn)
}

// markFailed is sticky: nothing but a restart leaves it.
func (h *health) markFailed(reason string) {
	if State(h.state.Swap(int32(StateFailed))) == StateFailed {
		return
	}
	h.change(StateFailed, reason, slog.LevelError)
}

// markOK leaves full (never failed).
func (h *health) markOK() {
	if h.state.CompareAndSwap(int32(StateFull), int32(StateOK)) {
		h.change(StateOK, "", slog.LevelInfo)
	}
}

// change records and reports one state change: one log line, one callback.
func (h *health) change(to State, reason string, level slog.Level) {
	avail, total, _ := h.space.usage()
	h.mu.Lock()
	h.mu.h = Health{State: to, Reason: reason, Since: time.Now(), AvailBytes: avail, TotalBytes: total}
	snapshot := h.mu.h
	h.mu.Unlock()
	msg := "storage ok: accepting writes again"
	switch to {
	case StateFull:
		msg = "storage full: refusing writes until space is freed"
	case StateFailed:
		msg = "storage failed: refusing writes until the node is restarted"
	}
	h.log.Log(context.Background(), level, msg, "reason", reason, "avail_bytes", avail, "total_bytes", total,
		"min_free_bytes", h.space.minFree, "reserve_bytes", h.space.reserve)
	if h.notify != nil {
		h.notify(snapshot)
	}
}

// admit is the commit loop's check before a batch of about batchBytes reaches Pebble.
func (h *health) admit(batchBytes int) error {
	if err := h.refusal(); err != nil {
		return err
	}
	if reason, low := h.space.low(uint64(batchBytes)); low {
		h.markFull(reason)
		return ErrFull
	}
	return nil
}

// tick runs every HealthInterval: it notices a disk that filled while no one wrote (so /readyz tells), and
// while full tries to recover.
func (h *health) tick() {
	switch State(h.state.Load()) {
	case StateOK:
		if reason, low := h.space.low(0); low {
			h.markFull(reason)
		}
	case StateFull:
		if h.stalled.Load() || !h.space.roomToRecover() {
			return
		}
		if err := h.space.createReserve(); err != nil {
			return // still no room: the next tick tries again
		}
		h.markOK()
	}
}

// backgroundError is Pebble's EventListener.BackgroundError: a flush or compaction that failed (Pebble
// retries them). Out of space, the store refuses writes; other errors are logged at most once a minute.
func (h *health) backgroundError(err error) {
	if isENOSPC(err) {
		h.markFull("a background flush or compaction ran out of disk space")
		return
	}
	h.mu.Lock()
	if time.Since(h.mu.lastBgLog) < time.Minute {
		h.mu.suppressed++
		h.mu.Unlock()
		return
	}
	suppressed := h.mu.suppressed
	h.mu.lastBgLog, h.mu.suppressed = time.Now(), 0
	h.mu.Unlock()
	h.log.Error("pebble background error", "err", err, "suppressed_since_last", suppressed)
}

// fatal is Pebble's Logger.Fatalf. Pebble expects it not to return. A failed commit (the write-ahead log
// could not be written or synced) panics with fatalCommit, which the commit loop recovers: no Pebble lock
// is held there. Any other fatal error comes from inside Pebble with its locks held or released in a way
// unwinding would trip over ("sync: unlock of unlocked mutex", fatal to the process), so after Open that
// goroutine parks for good: the node keeps serving reads and refuses writes until restarted.
func (h *health) fatal(format string, msg string) {
	h.markFailed("pebble: " + msg)
	if format == pebbleFatalCommitFormat {
		panic(fatalCommit{msg})
	}
	if !h.opened.Load() {
		panic(msg) // during Open: Open fails loudly, as before
	}
	h.parked.Add(1)
	select {}
}

// pebbleFatalCommitFormat is the format of the Fatalf Pebble's DB.Apply calls when a commit fails
// (db.go); a test injects a WAL failure to keep this in step with Pebble.
const pebbleFatalCommitFormat = "pebble: fatal commit error: %v"

type fatalCommit struct{ msg string }

// pebbleEvents is the EventListener that feeds the state from Pebble's background work.
func (h *health) pebbleEvents() *pebble.EventListener {
	return &pebble.EventListener{
		BackgroundError: h.backgroundError,
		WriteStallBegin: func(pebble.WriteStallBeginInfo) { h.stalled.Store(true) },
		WriteStallEnd:   func() { h.stalled.Store(false) },
	}
}

// admitBatch fails every op of a batch the store cannot take now, at once, without touching Pebble.
func (s *Store) admitBatch(ops []*op) bool {
	size := 0
	for _, o := range ops {
		size += len(o.data) + len(o.docID) + 64
		for _, r := range o.records {
			size += len(r.Key) + len(r.Value)
		}
	}
	err := s.health.admit(size)
	if err == nil {
		return true
	}
	for _, o := range ops {
		o.err = err
		close(o.done)
	}
	return false
}

// syncBatch commits b, synced unless lazy. A failure there is fatal to Pebble (health.fatal): it comes back
// as ErrFailed, and the store never writes again.
func (s *Store) syncBatch(b *pebble.Batch, lazy bool) (err error) {
	defer func() {
		if p := recover(); p != nil {
			fc, ok := p.(fatalCommit)
			if !ok {
				panic(p)
			}
			err = fmt.Errorf("%w: %s", ErrFailed, fc.msg)
		}
	}()
	opt := pebble.Sync
	if lazy {
		opt = pebble.NoSync
	}
	if err = b.Commit(opt); err != nil {
		s.health.markFailed(fmt.Sprintf("a synced commit failed: %v", err))
		err = fmt.Errorf("%w: %w", ErrFailed, err)
	}
	return err
}

// Refusing is the error a write would get now: ErrFull, ErrFailed, or nil when the store takes writes.
func (s *Store) Refusing() error { return s.health.refusal() }
