package client

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// awarenessTimeout is y-protocols' outdatedTimeout: a peer's state not renewed for this long is dropped, and the
// local state is renewed at half of it so that others keep ours.
const awarenessTimeout = 30 * time.Second

// Awareness holds the presence states (cursors, names, colours) of everyone connected to the document, in the
// y-protocols awareness format: each client publishes one JSON value under its client id. It is safe for
// concurrent use. Get it from Client.Awareness.
type Awareness struct {
	clientID uint64
	now      func() time.Time
	send     func(update []byte) // hands an encoded awareness update to the connection; set by the Client

	mu       sync.Mutex
	states   map[uint64]json.RawMessage
	meta     map[uint64]awarenessMeta
	watchers map[int]func(AwarenessChange)
	nextID   int
}

type awarenessMeta struct {
	clock   uint64
	updated time.Time
}

// AwarenessChange lists the client ids whose state appeared, changed or went away in one update. Local is true
// when the change is our own SetLocalState.
type AwarenessChange struct {
	Added, Updated, Removed []uint64
	Local                   bool
}

func newAwareness(clientID uint64, now func() time.Time) *Awareness {
	return &Awareness{clientID: clientID, now: now, states: map[uint64]json.RawMessage{},
		meta: map[uint64]awarenessMeta{}, watchers: map[int]func(AwarenessChange){}, send: func([]byte) {}}
}

// ClientID is the id our state is published under (the document's client id, as in Yjs).
func (a *Awareness) ClientID() uint64 { return a.clientID }

// SetLocalState publishes state (any value encoding/json accepts) to everyone in the document. nil withdraws it:
// others see us leave.
func (a *Awareness) SetLocalState(state any) error {
	raw := json.RawMessage("null")
	if state != nil {
		b, err := json.Marshal(state)
		if err != nil {
			return fmt.Errorf("meridian/client: awareness state: %w", err)
		}
		raw = b
	}
	a.mu.Lock()
	change := a.setLocked(a.clientID, raw, a.meta[a.clientID].clock+1)
	update := a.encodeLocked([]uint64{a.clientID})
	watchers := a.watcherList()
	a.mu.Unlock()
	change.Local = true
	a.send(update)
	notify(watchers, change)
	return nil
}

// LocalState returns our published state as JSON, nil when there is none.
func (a *Awareness) LocalState() json.RawMessage {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.states[a.clientID])
}

// States returns every known state as JSON by client id, ours included.
func (a *Awareness) States() map[uint64]json.RawMessage {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[uint64]json.RawMessage, len(a.states))
	for id, s := range a.states {
		out[id] = slices.Clone(s)
	}
	return out
}

// OnChange calls fn after every update that added, changed or removed a state. fn runs on the client's
// goroutine and must not block; it may call Awareness methods.
func (a *Awareness) OnChange(fn func(AwarenessChange)) (cancel func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	id := a.nextID
	a.nextID++
	a.watchers[id] = fn
	return func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		delete(a.watchers, id)
	}
}

func (a *Awareness) watcherList() []func(AwarenessChange) {
	return slices.Collect(maps.Values(a.watchers))
}

func notify(watchers []func(AwarenessChange), c AwarenessChange) {
	if len(c.Added)+len(c.Updated)+len(c.Removed) == 0 {
		return
	}
	for _, fn := range watchers {
		fn(c)
	}
}

// setLocked stores one client's state at clock; "null" removes it. It reports what changed.
func (a *Awareness) setLocked(id uint64, state json.RawMessage, clock uint64) AwarenessChange {
	var c AwarenessChange
	old, had := a.states[id]
	a.meta[id] = awarenessMeta{clock: clock, updated: a.now()}
	switch {
	case string(state) == "null" && had:
		delete(a.states, id)
		c.Removed = []uint64{id}
	case string(state) == "null":
	case !had:
		a.states[id] = state
		c.Added = []uint64{id}
	default:
		a.states[id] = state
		if string(old) != string(state) {
			c.Updated = []uint64{id}
		}
	}
	return c
}

// encodeLocked builds `varUint n, n × (varUint client, varUint clock, varString state)` for ids.
func (a *Awareness) encodeLocked(ids []uint64) []byte {
	b := appendVarUint(nil, uint64(len(ids)))
	for _, id := range ids {
		state, ok := a.states[id]
		if !ok {
			state = json.RawMessage("null")
		}
		b = appendVarUint(b, id)
		b = appendVarUint(b, a.meta[id].clock)
		b = appendString(b, string(state))
	}
	return b
}
