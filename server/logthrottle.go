package server

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// logThrottleWindow is how long a kind of log line stays quiet after it was written once.
const logThrottleWindow = 10 * time.Second

// logThrottleKinds bounds the kinds tracked at once. A flood of lines that all differ (an address in the
// message) would otherwise grow the table; past the bound, new kinds are written unthrottled, never dropped.
const logThrottleKinds = 1024

// The lines throttled in components that log other things too. storeFailureMessages are the store's
// per-batch failures (server/store): a failing disk repeats them for every write. peerRefusalMessages are
// replication's refused peer handshakes (replication/peers.go): anyone who reaches the peer port repeats them.
var (
	storeFailureMessages = []string{"store commit failed", "compaction failed"}
	peerRefusalMessages  = []string{"peer handshake refused"}
)

// throttleHandler is a slog.Handler that lets through the first record of a kind (its level and message) in
// a window, counts the repeats, and at the end of the window writes one summary record instead of them:
// "<message> (repeated N times in the last 10s)", with the attributes of the last repeat. A flood of refused
// handshakes or failing disk writes thus costs one line per kind per window instead of one per event, and
// nothing is hidden: the count says how many lines were folded.
//
// Only the messages in its set are throttled (all when the set is empty), so a wrapped logger can be handed
// to a component whose other lines must all stay.
type throttleHandler struct {
	next   slog.Handler
	state  *throttleState // shared with the handlers derived by WithAttrs and WithGroup
	window time.Duration
}

type throttleState struct {
	only  map[string]bool // messages throttled; empty: all
	mu    sync.Mutex
	kinds map[throttleKey]*throttledKind
}

type throttleKey struct {
	level slog.Level
	msg   string
}

// throttledKind is one kind inside its window: how many repeats were held back, and the last of them (with
// the handler that received it, so the summary carries the same logger attributes).
type throttledKind struct {
	repeats int
	last    slog.Record
	via     slog.Handler
	timer   *time.Timer
}

// newThrottledLogger wraps l so that the given messages (every message when none is given) are throttled.
func newThrottledLogger(l *slog.Logger, messages ...string) *slog.Logger {
	return slog.New(newThrottleHandler(l.Handler(), logThrottleWindow, messages...))
}

func newThrottleHandler(next slog.Handler, window time.Duration, messages ...string) *throttleHandler {
	st := &throttleState{only: map[string]bool{}, kinds: map[throttleKey]*throttledKind{}}
	for _, m := range messages {
		st.only[m] = true
	}
	return &throttleHandler{next: next, state: st, window: window}
}

func (h *throttleHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *throttleHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &throttleHandler{next: h.next.WithAttrs(attrs), state: h.state, window: h.window}
}

func (h *throttleHandler) WithGroup(name string) slog.Handler {
	return &throttleHandler{next: h.next.WithGroup(name), state: h.state, window: h.window}
}

func (h *throttleHandler) Handle(ctx context.Context, r slog.Record) error {
	st := h.state
	if len(st.only) > 0 && !st.only[r.Message] {
		return h.next.Handle(ctx, r)
	}
	key := throttleKey{r.Level, r.Message}
	st.mu.Lock()
	k := st.kinds[key]
	if k == nil {
		if len(st.kinds) >= logThrottleKinds {
			st.mu.Unlock()
			return h.next.Handle(ctx, r)
		}
		// The first of its kind: written now; the window's timer decides what happens to the repeats.
		k = &throttledKind{}
		k.timer = time.AfterFunc(h.window, func() { h.endWindow(key, k) })
		st.kinds[key] = k
		st.mu.Unlock()
		return h.next.Handle(ctx, r)
	}
	k.repeats++
	k.last, k.via = r.Clone(), h.next
	st.mu.Unlock()
	return nil
}

// endWindow writes the summary of a window with repeats and opens the next window (a flood still going on
// gets one summary per window); a window without repeats ends the kind, so its next line is written at once.
func (h *throttleHandler) endWindow(key throttleKey, k *throttledKind) {
	st := h.state
	st.mu.Lock()
	n, last, via := k.repeats, k.last, k.via
	if n == 0 {
		delete(st.kinds, key)
		st.mu.Unlock()
		return
	}
	k.repeats, k.last, k.via = 0, slog.Record{}, nil
	k.timer.Reset(h.window)
	st.mu.Unlock()
	sum := slog.NewRecord(last.Time, last.Level, fmt.Sprintf("%s (repeated %d times in the last %v)", key.msg, n, h.window), 0)
	last.Attrs(func(a slog.Attr) bool { sum.AddAttrs(a); return true })
	sum.AddAttrs(slog.Int("repeated", n))
	_ = via.Handle(context.Background(), sum)
}
