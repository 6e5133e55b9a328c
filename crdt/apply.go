package crdt

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// ErrInvalidUpdate wraps every reason an update is rejected; the document is left unchanged.
var ErrInvalidUpdate = errors.New("crdt: invalid update")

// ApplyUpdate integrates a v1 update. Malformed input returns an error wrapping
// ErrInvalidUpdate and changes nothing.
func (d *Doc) ApplyUpdate(u []byte) error { return d.applyUpdate(u, false, nil) }

// ApplyUpdateV2 integrates a v2 update.
func (d *Doc) ApplyUpdateV2(u []byte) error { return d.applyUpdate(u, true, nil) }

// ApplyUpdateWithOrigin integrates a v1 update; origin is passed to update handlers and
// observers (use it to recognise your own echoes).
func (d *Doc) ApplyUpdateWithOrigin(u []byte, origin any) error {
	return d.applyUpdate(u, false, origin)
}

// ApplyUpdateV2WithOrigin integrates a v2 update with an origin.
func (d *Doc) ApplyUpdateV2WithOrigin(u []byte, origin any) error {
	return d.applyUpdate(u, true, origin)
}

// decodeScratches hold the decode memory of applied updates for the next ApplyUpdate of any
// document: a stream of keystroke updates, or a server loading one document after another,
// then decodes without allocating struct slices each time. A pool, not a field of Doc, so
// that idle memory goes back to the heap at the next garbage collections.
var decodeScratches = sync.Pool{New: func() any { return new(update.Scratch) }}

func (d *Doc) applyUpdate(b []byte, v2 bool, origin any) error {
	sc := decodeScratches.Get().(*update.Scratch)
	defer func() {
		sc.Release() // the decoded structs are garbage once applied; keep only the memory
		decodeScratches.Put(sc)
	}()
	u, err := sc.Decode(b, v2)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidUpdate, err)
	}
	if err := validateSelfReferences(u); err != nil {
		return err
	}
	d.transact(origin, false, func(tx *Transaction) { tx.applyDecoded(u) })
	if d.store.pending.refused {
		d.store.pending.refused = false
		return ErrPendingLimit
	}
	return nil
}

// validateSelfReferences rejects items that refer to their own client's future: the decoder
// checks syntax only, and such references could never be resolved.
func validateSelfReferences(u *update.Update) error {
	for bi := range u.Blocks {
		for si := range u.Blocks[bi].Structs {
			st := &u.Blocks[bi].Structs[si]
			if st.Kind != update.KindItem {
				continue
			}
			c, clk := st.ID.Client, st.ID.Clock
			if (st.HasOrigin && st.Origin.Client == c && st.Origin.Clock >= clk) ||
				(st.HasRightOrigin && st.RightOrigin.Client == c && st.RightOrigin.Clock >= clk) ||
				(st.HasParentID && st.ParentID.Client == c && st.ParentID.Clock >= clk) {
				return fmt.Errorf("%w: struct %d:%d refers to a later clock of its own client", ErrInvalidUpdate, c, clk)
			}
		}
	}
	return nil
}

// applyDecoded is yjs readUpdateV2: integrate structs, stash what cannot be integrated yet,
// apply the delete set (stashing deletions of unknown clocks), and retry the pending structs
// and deletions whose missing clocks have arrived (pending.go: only those are retried, so the
// cost stays linear in what arrives).
func (tx *Transaction) applyDecoded(u *update.Update) {
	d := tx.doc
	s := d.store
	p := &s.pending
	p.refused = false
	for bi := range u.Blocks {
		for si := range u.Blocks[bi].Structs {
			if st := &u.Blocks[bi].Structs[si]; st.Kind == update.KindItem && st.HasParentName {
				d.root(st.ParentName) // yjs creates the (untyped) root while reading
			}
		}
	}
	tx.reserveItems(countItems(u.Blocks, s))
	rest := tx.integrateBlocks(u.Blocks)
	tx.releaseItems()
	dsRest := tx.applyDeleteSet(u.DeleteSet)
	advanced := make([]uint64, 0, len(u.Blocks)+1)
	for i := range u.Blocks {
		advanced = append(advanced, u.Blocks[i].Client)
	}
	advanced = append(advanced, d.clientID) // local edits since the last update
	if p.hasDels() {
		if again := p.takeDels(s, advanced); !again.IsEmpty() {
			p.addDels(tx.applyDeleteSet(again))
		}
	}
	if rest != nil {
		rest.fresh = true
		p.add(rest)
	}
	if p.hasStructs() && tx.retryPending(advanced) && !dsRest.IsEmpty() {
		dsRest = tx.applyDeleteSet(dsRest) // the retried structs may hold some of these clocks
	}
	if len(p.fresh) > 0 || !dsRest.IsEmpty() {
		// What is left of this update (fresh entries descend from its rest) must fit the limit.
		fresh, dsBytes := 0, 0
		for _, e := range p.fresh {
			if !e.dead {
				fresh += len(e.update)
			}
		}
		for _, rs := range dsRest.Clients {
			dsBytes += len(rs) * pendingRangeBytes
		}
		if p.limited && fresh+dsBytes > 0 && p.size()+dsBytes > p.limit {
			for _, e := range p.fresh {
				if !e.dead {
					p.remove(e)
				}
			}
			dsRest, p.refused = update.DeleteSet{}, true
		}
		for _, e := range p.fresh {
			e.fresh = false
		}
		clear(p.fresh)
		p.fresh = p.fresh[:0]
	}
	p.addDels(dsRest)
}

// retryPending integrates the pending entries that wait for a clock of one of the advanced
// clients that has arrived, then those that these release, until none is ready; then it
// re-applies the pending deletions of the clients that advanced. It reports whether it
// retried anything.
func (tx *Transaction) retryPending(advanced []uint64) bool {
	s := tx.doc.store
	p := &s.pending
	var ready []*pendingEntry
	var touched []uint64
	for {
		ready = p.ready(s, advanced, ready[:0])
		if len(ready) == 0 {
			break
		}
		advanced = advanced[:0]
		for _, e := range ready {
			p.work += len(e.update)
			pu, err := update.Decode(e.update, true)
			if err != nil {
				continue // cannot happen: the entry was encoded here
			}
			for i := range pu.Blocks {
				advanced = append(advanced, pu.Blocks[i].Client)
			}
			tx.reserveItems(countItems(pu.Blocks, s))
			rest := tx.integrateBlocks(pu.Blocks)
			tx.releaseItems()
			if rest != nil {
				rest.fresh = e.fresh
				p.add(rest)
			}
		}
		touched = append(touched, advanced...)
	}
	if len(touched) > 0 && p.hasDels() {
		if again := p.takeDels(s, touched); !again.IsEmpty() {
			p.addDels(tx.applyDeleteSet(again))
		}
	}
	return len(touched) > 0
}

// structQueue is one client's structs of an update, consumed front to back.
type structQueue struct {
	structs []update.Struct
	i       int
}

// integrateBlocks integrates the structs of an update in yjs order (highest client first,
// depth-first into the clients a struct depends on) and returns the structs that must wait.
func (tx *Transaction) integrateBlocks(blocks []update.ClientBlock) *pendingEntry {
	if len(blocks) == 1 && tx.integrateReadyBlock(&blocks[0]) {
		return nil
	}
	s := tx.doc.store
	queues := make(map[uint64]*structQueue, len(blocks))
	for i := range blocks {
		b := &blocks[i]
		if len(b.Structs) == 0 {
			continue
		}
		if q := queues[b.Client]; q != nil {
			q.structs = append(q.structs, b.Structs...)
		} else {
			queues[b.Client] = &structQueue{structs: b.Structs}
		}
	}
	ids := make([]uint64, 0, len(queues))
	for c := range queues {
		ids = append(ids, c)
	}
	slices.Sort(ids)
	nextTarget := func() *structQueue {
		for len(ids) > 0 {
			q := queues[ids[len(ids)-1]]
			if q != nil && q.i < len(q.structs) {
				return q
			}
			ids = ids[:len(ids)-1]
		}
		return nil
	}
	cur := nextTarget()
	if cur == nil {
		return nil
	}
	restBlocks := map[uint64][]update.Struct{}
	missing := map[uint64]uint64{}
	updateMissing := func(client, clock uint64) {
		if m, ok := missing[client]; !ok || m > clock {
			missing[client] = clock
		}
	}
	var stack []*update.Struct
	state := map[uint64]uint64{}
	addStackToRest := func() {
		for _, st := range stack {
			client := st.ID.Client
			if q := queues[client]; q != nil {
				q.i--
				restBlocks[client] = q.structs[q.i:]
				delete(queues, client)
				// Empty the queue itself, not just the map entry: the loop may still hold it as
				// its current target and would otherwise re-read structs that now wait in
				// restBlocks (and overwrite them there with a single struct).
				q.structs, q.i = nil, 0
			} else {
				restBlocks[client] = []update.Struct{*st}
			}
			ids = slices.DeleteFunc(ids, func(c uint64) bool { return c == client })
		}
		stack = stack[:0]
	}
	head := &cur.structs[cur.i]
	cur.i++
	for {
		if head.Kind != update.KindSkip {
			local, ok := state[head.ID.Client]
			if !ok {
				local = s.state(head.ID.Client)
				state[head.ID.Client] = local
			}
			if local < head.ID.Clock {
				stack = append(stack, head)
				updateMissing(head.ID.Client, head.ID.Clock-1)
				addStackToRest()
			} else if dep, depClock, missingDep := s.missingDependencyClock(head); missingDep {
				stack = append(stack, head)
				q := queues[dep]
				if q == nil || q.i == len(q.structs) {
					// Yjs records s.state(dep), which any advance of dep reaches; the clock of the
					// dependency itself is what the struct waits for (pending.go).
					updateMissing(dep, depClock)
					addStackToRest()
				} else {
					head = &q.structs[q.i]
					q.i++
					continue
				}
			} else if offset := local - head.ID.Clock; offset < head.Length {
				tx.integrateStruct(head, offset)
				state[head.ID.Client] = head.ID.Clock + head.Length
			}
		}
		switch {
		case len(stack) > 0:
			head = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
		case cur != nil && cur.i < len(cur.structs):
			head = &cur.structs[cur.i]
			cur.i++
		default:
			cur = nextTarget()
			if cur == nil {
				return encodeRest(restBlocks, missing)
			}
			head = &cur.structs[cur.i]
			cur.i++
		}
	}
}

// encodeRest stores the structs that could not be integrated as a v2 update.
func encodeRest(rest map[uint64][]update.Struct, missing map[uint64]uint64) *pendingEntry {
	if len(rest) == 0 {
		return nil
	}
	u := update.Update{DeleteSet: update.NewDeleteSet()}
	for _, c := range sortedClientsDesc(countsOf(rest)) {
		u.Blocks = append(u.Blocks, update.ClientBlock{Client: c, Structs: rest[c]})
	}
	return &pendingEntry{need: missing, update: u.Encode(true)}
}

func countsOf(m map[uint64][]update.Struct) map[uint64]uint64 {
	out := make(map[uint64]uint64, len(m))
	for c, v := range m {
		out[c] = uint64(len(v))
	}
	return out
}

// applyDeleteSet deletes the ranges of ds that the store holds and returns the rest, sorted and
// merged (yjs readAndApplyDeleteSet).
func (tx *Transaction) applyDeleteSet(ds update.DeleteSet) update.DeleteSet {
	if len(ds.Clients) == 0 {
		return update.DeleteSet{} // most updates of a live session only insert
	}
	s := tx.doc.store
	var unapplied update.DeleteSet // allocated when a range must wait
	var few [4]uint64              // most updates name one client: keep the list on the stack
	for _, client := range deleteSetClientsDesc(ds, few[:0]) {
		state := s.state(client)
		for _, r := range ds.Clients[client] {
			clock, end := r.Clock, r.Clock+r.Len
			if clock >= state {
				addUnapplied(&unapplied, client, clock, end-clock)
				continue
			}
			if state < end {
				addUnapplied(&unapplied, client, state, end-state)
			}
			tx.deleteRange(client, clock, end)
		}
	}
	if unapplied.IsEmpty() {
		return update.DeleteSet{}
	}
	// v2 stores ranges as gaps, so they must be ascending (v1 input may list them in any order)
	unapplied.SortAndMerge()
	return unapplied
}

// deleteRange marks [clock, end) of client deleted, splitting items at the range boundaries.
func (tx *Transaction) deleteRange(client, clock, end uint64) {
	s := tx.doc.store
	sl := s.structs(client)
	i, ok := sl.find(clock)
	if !ok {
		return
	}
	if it := sl.at(i); !it.deleted() && it.id.Clock < clock {
		sl.insert(i+1, it.split(tx, clock-it.id.Clock))
		i++
	}
	for {
		if i >= sl.len() {
			return
		}
		it := sl.at(i)
		i++
		if it.id.Clock >= end {
			return
		}
		if it.deleted() {
			continue
		}
		if end < it.id.Clock+it.len() {
			sl.insert(i, it.split(tx, end-it.id.Clock))
		}
		it.delete(tx)
	}
}

// deleteSetClientsDesc lists the clients of ds highest first, the order yjs applies them in,
// appending to buf.
func deleteSetClientsDesc(ds update.DeleteSet, buf []uint64) []uint64 {
	cs := buf[:0]
	for c := range ds.Clients {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	slices.Reverse(cs)
	return cs
}

func addUnapplied(ds *update.DeleteSet, client, clock, length uint64) {
	if ds.Clients == nil {
		*ds = update.NewDeleteSet()
	}
	ds.Add(client, clock, length)
}

func rangeCounts(ds update.DeleteSet) map[uint64]uint64 {
	out := make(map[uint64]uint64, len(ds.Clients))
	for c, r := range ds.Clients {
		out[c] = uint64(len(r))
	}
	return out
}
