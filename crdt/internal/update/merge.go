package update

import (
	"container/heap"
)

// Merge combines updates into one without a document and returns the same
// bytes as Y.mergeUpdates (v1) / Y.mergeUpdatesV2 (v2).
//
// Yjs keeps one lazy struct reader per update and, before every step, sorts the
// readers by their current struct (client descending, clock ascending) with a
// stable sort, then works on the first reader. That is quadratic. Within one
// step only the first reader moves, so after the next stable sort it comes
// first among the readers whose current struct has the same client and clock;
// the others keep their previous relative order, and before the first sort that
// order is the input order. A heap keyed by (client desc, clock asc, last step
// the reader moved desc) therefore always yields exactly the reader Yjs's sort
// puts first, in O(log n) per step.
//
// One case cannot be reproduced in general: when two readers sit on the same
// client and clock with structs of different kinds (an Item in one update, a GC
// in the other), Yjs's comparator is inconsistent (it says "less" both ways)
// and which reader wins depends on V8's TimSort internals. Here the same rule as
// for equal kinds applies. Both results are valid merges.
//
// A single update is validated and returned unchanged, as Yjs returns it.
func Merge(updates [][]byte, v2 bool) ([]byte, error) {
	decoded := make([]*Update, len(updates))
	for i, b := range updates {
		u, err := Decode(b, v2)
		if err != nil {
			return nil, err
		}
		decoded[i] = u
	}
	if len(updates) == 1 {
		return append([]byte(nil), updates[0]...), nil
	}
	enc := newEncoder(v2)
	w := newBlockWriter(enc)
	mergeStructs(decoded, w)
	w.finish()
	sets := make([]DeleteSet, len(decoded))
	for i, u := range decoded {
		sets[i] = u.DeleteSet
	}
	MergeDeleteSets(sets...).Write(enc)
	return enc.Bytes(), nil
}

// mergeStructs is the struct loop of yjs mergeUpdatesV2 with the per-step sort
// replaced by readerHeap.
func mergeStructs(updates []*Update, w *blockWriter) {
	readers := make([]reader, len(updates)) // one allocation for all readers
	h := make(readerHeap, 0, len(updates))
	for i, u := range updates {
		r := &readers[i]
		r.cursor, r.moved = cursor{u: u, dropSkips: true}, -int64(i)
		r.settle()
		if r.rekey() {
			h = append(h, r)
		}
	}
	heap.Init(&h)
	m := merger{w: w}
	for step := int64(1); len(h) > 0; step++ {
		r := h[0]
		m.step(r)
		r.moved = step
		if !r.rekey() {
			heap.Remove(&h, 0)
		} else {
			heap.Fix(&h, 0)
		}
	}
	if m.pending {
		w.write(&m.cw, 0)
	}
}

// merger holds the struct being assembled ("currWrite" in Yjs): it is written
// only once it is known that nothing can be merged into it any more.
type merger struct {
	w       *blockWriter
	cw      Struct
	pending bool
}

// step performs one iteration of Yjs's loop on the reader the sort put first.
func (m *merger) step(r *reader) {
	first := r.curr().ID.Client
	if !m.pending {
		m.cw, m.pending = *r.curr(), true
		r.next()
	} else if !m.integrate(r, first) {
		return
	}
	// Copy the reader's directly following structs of the same client.
	for next := r.curr(); next != nil && next.ID.Client == first && next.ID.Clock == m.cw.End(); next = r.next() {
		m.w.write(&m.cw, 0)
		m.cw = *next
	}
}

// integrate places the reader's current struct after cw: it drops what is
// already written, emits a Skip for a gap, slices an overlap, or merges. It
// reports false when the step must end early so that the readers are re-sorted
// (Yjs's `continue`).
func (m *merger) integrate(r *reader, first uint64) bool {
	curr, skipped := r.curr(), false
	// Skip what is already written. The client test compares clients the way
	// Yjs does, so lower clients (whose turn comes later) are left alone.
	for curr != nil && curr.End() <= m.cw.End() && curr.ID.Client >= m.cw.ID.Client {
		curr, skipped = r.next(), true
	}
	if curr == nil || curr.ID.Client != first || (skipped && curr.ID.Clock > m.cw.End()) {
		return false
	}
	switch {
	case first != m.cw.ID.Client:
		m.w.write(&m.cw, 0)
		m.cw = *curr
		r.next()
	case m.cw.End() < curr.ID.Clock:
		// A gap: flush cw and stand a Skip in for the missing clocks. (cw is never
		// a Skip here: the copy loop of step always flushes a new Skip at once.)
		m.w.write(&m.cw, 0)
		m.cw = Struct{Kind: KindSkip, ID: ID{Client: first, Clock: m.cw.End()}, Length: curr.ID.Clock - m.cw.End()}
	default:
		next := *curr
		if diff := m.cw.End() - curr.ID.Clock; diff > 0 {
			next = curr.slice(diff)
		}
		if !mergeInto(&m.cw, &next) {
			m.w.write(&m.cw, 0)
			m.cw = next
			r.next()
		}
	}
	return true
}

// mergeInto appends right to left when Yjs's struct mergeWith would: GC with GC
// and Skip with Skip. Item.mergeWith never succeeds on decoded structs (it
// requires the two to be linked neighbours in a document).
func mergeInto(left, right *Struct) bool {
	if left.Kind == KindItem || left.Kind != right.Kind {
		return false
	}
	left.Length += right.Length
	return true
}
