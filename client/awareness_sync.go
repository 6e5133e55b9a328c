package client

import (
	"encoding/json"
	"fmt"
	"slices"
)

// awarenessEntry is one client's entry of an awareness update.
type awarenessEntry struct {
	client, clock uint64
	state         json.RawMessage
}

// decodeAwarenessUpdate parses an awareness update; every state must be JSON.
func decodeAwarenessUpdate(b []byte) ([]awarenessEntry, error) {
	r := reader{buf: b}
	n := r.varUint()
	if r.err == nil && n > uint64(len(b)/3) { // each entry takes at least three bytes
		r.fail("%d awareness entries in %d bytes", n, len(b))
	}
	var entries []awarenessEntry
	for i := uint64(0); i < n && r.err == nil; i++ {
		e := awarenessEntry{client: r.varUint(), clock: r.varUint(), state: json.RawMessage(r.string())}
		if r.err == nil && !json.Valid(e.state) {
			r.fail("awareness state of client %d is not JSON", e.client)
		}
		entries = append(entries, e)
	}
	if r.err == nil && r.pos != len(b) {
		r.fail("%d trailing bytes", len(b)-r.pos)
	}
	if r.err != nil {
		return nil, fmt.Errorf("awareness: %w", r.err)
	}
	return entries, nil
}

// apply integrates a remote awareness update with y-protocols' rules: a newer clock wins, and a removal at the
// same clock wins. Someone removing our own state (a stale echo) makes us publish it again with a newer clock.
func (a *Awareness) apply(update []byte) error {
	entries, err := decodeAwarenessUpdate(update)
	if err != nil {
		return err
	}
	var change AwarenessChange
	var republish []byte
	a.mu.Lock()
	for _, e := range entries {
		cur, known := a.meta[e.client]
		_, has := a.states[e.client]
		isNull := string(e.state) == "null"
		newer := !known || e.clock > cur.clock || (e.clock == cur.clock && isNull && has)
		if !newer {
			continue
		}
		if e.client == a.clientID {
			if isNull && has {
				a.meta[a.clientID] = awarenessMeta{clock: e.clock + 1, updated: a.now()}
				republish = a.encodeLocked([]uint64{a.clientID})
			}
			continue
		}
		c := a.setLocked(e.client, e.state, e.clock)
		change.Added = append(change.Added, c.Added...)
		change.Updated = append(change.Updated, c.Updated...)
		change.Removed = append(change.Removed, c.Removed...)
	}
	watchers := a.watcherList()
	a.mu.Unlock()
	if republish != nil {
		a.send(republish)
	}
	notify(watchers, change)
	return nil
}

// tick renews our state before others time it out and drops peers that stopped renewing theirs.
func (a *Awareness) tick() {
	now := a.now()
	var renew []byte
	var change AwarenessChange
	a.mu.Lock()
	if m, ok := a.meta[a.clientID]; ok && a.states[a.clientID] != nil && now.Sub(m.updated) >= awarenessTimeout/2 {
		a.meta[a.clientID] = awarenessMeta{clock: m.clock + 1, updated: now}
		renew = a.encodeLocked([]uint64{a.clientID})
	}
	for id, m := range a.meta {
		if id != a.clientID && a.states[id] != nil && now.Sub(m.updated) >= awarenessTimeout {
			delete(a.states, id)
			change.Removed = append(change.Removed, id)
		}
	}
	watchers := a.watcherList()
	a.mu.Unlock()
	if renew != nil {
		a.send(renew)
	}
	slices.Sort(change.Removed)
	notify(watchers, change)
}

// localUpdate is our current entry, sent when a connection opens so that others see us at once.
func (a *Awareness) localUpdate() []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.states[a.clientID] == nil {
		return nil
	}
	return a.encodeLocked([]uint64{a.clientID})
}

// dropRemote forgets every peer's state (the connection is gone, so they are no longer known to be present),
// as y-websocket does on disconnect.
func (a *Awareness) dropRemote() {
	var change AwarenessChange
	a.mu.Lock()
	for id := range a.states {
		if id != a.clientID {
			delete(a.states, id)
			change.Removed = append(change.Removed, id)
		}
	}
	watchers := a.watcherList()
	a.mu.Unlock()
	slices.Sort(change.Removed)
	notify(watchers, change)
}

// leaveUpdate withdraws our state, for a clean Close.
func (a *Awareness) leaveUpdate() []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.states[a.clientID] == nil {
		return nil
	}
	delete(a.states, a.clientID)
	m := a.meta[a.clientID]
	a.meta[a.clientID] = awarenessMeta{clock: m.clock + 1, updated: a.now()}
	return a.encodeLocked([]uint64{a.clientID})
}
