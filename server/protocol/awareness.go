package protocol

import (
	"errors"
	"slices"
	"time"
)

// Timing of y-protocols' awareness, which both stock clients and the reference server follow.
const (
	// AwarenessTimeout is how long a state lives without a heartbeat before it is removed.
	AwarenessTimeout = 30 * time.Second
	// AwarenessCheckInterval is how often expired states should be looked for.
	AwarenessCheckInterval = 3 * time.Second
)

// ErrAwarenessFull is returned when accepting an update would exceed the room's limit of states.
var ErrAwarenessFull = errors.New("meridian/protocol: awareness state limit reached")

type awarenessMeta struct {
	clock       uint64
	state       string // "" once removed: the clock is remembered so stale entries stay rejected
	lastUpdated time.Time
}

// Awareness is a room's presence table with the acceptance rules of y-protocols' applyAwarenessUpdate.
// The server holds no state of its own. Not safe for concurrent use.
type Awareness struct {
	meta      map[uint64]*awarenessMeta
	states    int
	maxStates int

	bytes                   int // JSON bytes of the live states
	maxStateBytes, maxBytes int // awareness_limits.go; 0 = unlimited
}

// NewAwareness makes an empty table holding at most maxStates live states (0 = unlimited).
func NewAwareness(maxStates int) *Awareness {
	return &Awareness{meta: map[uint64]*awarenessMeta{}, maxStates: maxStates}
}

// Len is the number of live (non-null) states.
func (a *Awareness) Len() int { return a.states }

// Apply merges a decoded awareness update received at now and returns the entries that were accepted:
// those are what the room broadcasts (heartbeats included, since clients rely on them to stay alive).
// If a new client would exceed the limit, nothing is applied and ErrAwarenessFull is returned.
func (a *Awareness) Apply(entries []AwarenessEntry, now time.Time) ([]AwarenessEntry, error) {
	if a.maxStates > 0 && a.states+a.newStates(entries) > a.maxStates {
		return nil, ErrAwarenessFull
	}
	if err := a.checkBytes(entries); err != nil {
		return nil, err
	}
	var accepted []AwarenessEntry
	for _, e := range entries {
		m := a.meta[e.ClientID]
		known, hasState := uint64(0), false
		if m != nil {
			known, hasState = m.clock, m.state != ""
		}
		if e.Clock < known || (e.Clock == known && (!e.IsNull() || !hasState)) {
			continue // stale, or a repeat: y-protocols ignores both
		}
		if m == nil {
			m = &awarenessMeta{}
			a.meta[e.ClientID] = m
		}
		m.clock, m.lastUpdated = e.Clock, now
		switch {
		case e.IsNull() && !hasState:
			continue // nothing to remove: recorded, but there is no change to tell anyone about
		case e.IsNull():
			a.bytes -= len(m.state)
			m.state = ""
			a.states--
		default:
			if !hasState {
				a.states++
			}
			a.bytes += len(e.State) - len(m.state)
			m.state = e.State
		}
		accepted = append(accepted, e)
	}
	return accepted, nil
}

// newStates counts clients in entries that would go from no state to a state.
func (a *Awareness) newStates(entries []AwarenessEntry) int {
	n := 0
	seen := map[uint64]bool{}
	for _, e := range entries {
		if e.IsNull() || seen[e.ClientID] {
			continue
		}
		seen[e.ClientID] = true
		if m := a.meta[e.ClientID]; (m == nil || m.state == "") && (m == nil || e.Clock > m.clock) {
			n++
		}
	}
	return n
}

// States returns every live state, ordered by client id, for the snapshot sent to a joining connection.
func (a *Awareness) States() []AwarenessEntry {
	var out []AwarenessEntry
	for id, m := range a.meta {
		if m.state != "" {
			out = append(out, AwarenessEntry{ClientID: id, Clock: m.clock, State: m.state})
		}
	}
	slices.SortFunc(out, func(x, y AwarenessEntry) int { return compareUint(x.ClientID, y.ClientID) })
	return out
}

// Remove drops the states of clients (a closed connection's) and returns the null entries to broadcast,
// at each client's last clock, which peers accept because they still hold a state at that clock.
func (a *Awareness) Remove(clients []uint64) []AwarenessEntry {
	var out []AwarenessEntry
	for _, id := range clients {
		m := a.meta[id]
		if m == nil || m.state == "" {
			continue
		}
		a.bytes -= len(m.state)
		m.state = ""
		a.states--
		out = append(out, AwarenessEntry{ClientID: id, Clock: m.clock, State: "null"})
	}
	slices.SortFunc(out, func(x, y AwarenessEntry) int { return compareUint(x.ClientID, y.ClientID) })
	return out
}

// Expire removes states not refreshed within AwarenessTimeout of now and returns their null entries.
// It also forgets clocks of long-gone clients so the table does not grow without bound.
func (a *Awareness) Expire(now time.Time) []AwarenessEntry {
	var expired []uint64
	for id, m := range a.meta {
		age := now.Sub(m.lastUpdated)
		switch {
		case m.state != "" && age >= AwarenessTimeout:
			expired = append(expired, id)
		case m.state == "" && age >= 2*AwarenessTimeout:
			// A removed client's clock only guards against late duplicates; after two timeouts none remain.
			delete(a.meta, id)
		}
	}
	return a.Remove(expired)
}

func compareUint(x, y uint64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
