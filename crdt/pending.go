package crdt

import (
	"cmp"
	"container/heap"
	"errors"
	"slices"

	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// Pending structs and deletions, kept so that their cost is linear in what arrives.
//
// Yjs keeps one merged pending update and one merged pending delete set (store.pendingStructs,
// store.pendingDs). Every update that leaves something pending merges it into the whole pending
// update, every update re-applies the whole pending delete set, and any advance of a client the
// pending update waits on re-applies the whole pending update: a stream of updates that never
// integrate costs time quadratic in their total size.
//
// Here each update's rest (the structs it could not integrate) stays a separate entry, with the
// exact clocks it waits for: for a gap, the clock before its first struct; for a missing origin,
// right origin or parent, the clock of that dependency (Yjs records the dependency client's
// current state instead, which any advance of that client satisfies). An entry is retried only
// when a client it waits for reaches such a clock, found through one min-heap per client; a retry
// whose clocks are reached may integrate the entry, and whatever integrates may in turn release
// other entries, so retries run until none is ready. The pending deletions are kept per client
// and sorted; a client's ranges are re-applied only once its state has passed the first of them.
//
// The document that results after every update is the one Yjs builds: Yjs's merged retry
// integrates every pending struct whose dependencies are present, which is what the retries
// here reach, and a struct that waits for a clock that has not arrived cannot integrate in
// either. What a peer is sent (EncodeStateAsUpdate) merges the entries exactly as Yjs merges
// its single pending update, and the pending deletions are written sorted and merged, as Yjs's
// merge writes them.

// ErrPendingLimit is returned by an apply when the structs and deletions of the update that could
// not be integrated would take the document's pending bytes over the limit set with
// SetPendingLimit. Unlike ErrInvalidUpdate, the document did change: everything of the update
// that could be integrated was, and only the waiting rest was dropped (it is not pending, and
// HasPending and EncodeStateAsUpdate do not include it).
var ErrPendingLimit = errors.New("crdt: pending limit reached; the update's unresolved rest was dropped")

// pendingRangeBytes is what one pending deletion range counts for in PendingBytes: its size in
// memory, an upper bound of its encoded size.
const pendingRangeBytes = 16

// pendingEntry is the rest of one update (or of one retry), waiting.
type pendingEntry struct {
	update []byte            // v2, structs only
	need   map[uint64]uint64 // client -> clock: the entry may integrate once state(client) > clock
	dead   bool              // retried or dropped; still referenced by heaps until popped
	fresh  bool              // descends from the rest of the update being applied (the limit applies)
}

type needRef struct {
	clock uint64
	e     *pendingEntry
}

type needHeap []needRef

func (h needHeap) Len() int           { return len(h) }
func (h needHeap) Less(i, j int) bool { return h[i].clock < h[j].clock }
func (h needHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *needHeap) Push(x any)        { *h = append(*h, x.(needRef)) }
func (h *needHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// pendingSet is the store's pending structs and deletions.
type pendingSet struct {
	entries []*pendingEntry      // arrival order; dead ones are compacted away lazily
	live    int                  // entries not dead
	waiting map[uint64]*needHeap // client -> entries waiting for a clock of it
	refs    int                  // references in the heaps
	// references in the heaps to dead entries
	deadRefs int
	bytes    int // bytes of the live entries' updates

	dels      map[uint64][]update.Range // client -> pending deletion ranges, sorted and merged
	delRanges int                       // number of ranges in dels

	fresh   []*pendingEntry // entries added during the current apply that descend from its update's rest
	limit   int             // SetPendingLimit; used when limited
	limited bool            // whether an update's rest may be refused
	refused bool            // the current apply dropped its rest (ErrPendingLimit)

	// work counts the bytes of pending updates encoded or decoded, for the tests that hold the
	// cost of pending structs linear.
	work int
}

func (p *pendingSet) hasStructs() bool { return p.live > 0 }
func (p *pendingSet) hasDels() bool    { return p.delRanges > 0 }
func (p *pendingSet) size() int        { return p.bytes + p.delRanges*pendingRangeBytes }

// add keeps e until what it waits for arrives.
func (p *pendingSet) add(e *pendingEntry) {
	p.entries = append(p.entries, e)
	if e.fresh {
		p.fresh = append(p.fresh, e)
	}
	p.live++
	p.bytes += len(e.update)
	p.work += len(e.update)
	p.index(e)
}

// remove takes e out of the set. Its heap references go when popped, or when dead references outnumber
// live ones and the heaps are rebuilt; its update is released at once.
func (p *pendingSet) remove(e *pendingEntry) {
	e.dead = true
	p.live--
	p.bytes -= len(e.update)
	p.deadRefs += len(e.need)
	e.update, e.need = nil, nil
	if p.deadRefs > 64 && p.deadRefs > p.refs-p.deadRefs {
		p.rebuildHeaps()
	}
	if dead := len(p.entries) - p.live; dead > 16 && dead > p.live {
		live := p.entries[:0]
		for _, x := range p.entries {
			if !x.dead {
				live = append(live, x)
			}
		}
		clear(p.entries[len(live):])
		p.entries = live
	}
	if p.live == 0 {
		clear(p.entries)
		p.entries = p.entries[:0]
		p.waiting = nil // every heap holds only dead references now
		p.refs, p.deadRefs = 0, 0
	}
}

// rebuildHeaps drops the references of dead entries from the heaps.
func (p *pendingSet) rebuildHeaps() {
	p.waiting, p.refs, p.deadRefs = nil, 0, 0
	for _, e := range p.entries {
		if !e.dead {
			p.index(e)
		}
	}
}

// index adds e's references to the heaps.
func (p *pendingSet) index(e *pendingEntry) {
	if p.waiting == nil {
		p.waiting = map[uint64]*needHeap{}
	}
	for c, clock := range e.need {
		h := p.waiting[c]
		if h == nil {
			h = &needHeap{}
			p.waiting[c] = h
		}
		heap.Push(h, needRef{clock: clock, e: e})
		p.refs++
	}
}

// ready removes and returns the entries waiting for a clock of one of clients that s has reached.
func (p *pendingSet) ready(s *store, clients []uint64, out []*pendingEntry) []*pendingEntry {
	for _, c := range clients {
		st := s.state(c)
		for {
			h := p.waiting[c] // again each time: remove may rebuild the heaps
			if h == nil || h.Len() == 0 {
				delete(p.waiting, c)
				break
			}
			if (*h)[0].clock >= st {
				break
			}
			ref := heap.Pop(h).(needRef)
			p.refs--
			p.deadRefs-- // a dead entry's reference, or one that remove is about to count as dead
			if ref.e.dead {
				continue
			}
			update := ref.e.update
			p.remove(ref.e)
			ref.e.update = update // the caller retries it
			out = append(out, ref.e)
		}
	}
	return out
}

// updates lists the live entries' updates in arrival order.
func (p *pendingSet) updates() [][]byte {
	out := make([][]byte, 0, p.live)
	for _, e := range p.entries {
		if !e.dead {
			out = append(out, e.update)
		}
	}
	return out
}

// addDels keeps the ranges of ds (sorted and merged per client) until their clocks arrive.
func (p *pendingSet) addDels(ds update.DeleteSet) {
	if p.dels == nil {
		p.dels = map[uint64][]update.Range{}
	}
	for c, rs := range ds.Clients {
		if len(rs) == 0 {
			continue
		}
		old := p.dels[c]
		p.delRanges -= len(old)
		var merged []update.Range
		switch {
		case len(old) == 0 || old[len(old)-1].End() < rs[0].Clock:
			merged = append(old, rs...) // in order: a flood of ascending ranges appends in linear time
		case rs[len(rs)-1].End() < old[0].Clock:
			merged = append(slices.Clip(rs), old...) // what is left of a re-applied prefix
		default:
			tmp := update.DeleteSet{Clients: map[uint64][]update.Range{c: append(slices.Clone(old), rs...)}}
			tmp.SortAndMerge()
			merged = tmp.Clients[c]
		}
		p.dels[c] = merged
		p.delRanges += len(merged)
	}
}

// takeDels removes and returns the pending ranges that start below their client's state, for the
// clients listed: a re-application can change only those (Yjs re-applies them all and keeps
// the others unchanged).
func (p *pendingSet) takeDels(s *store, clients []uint64) update.DeleteSet {
	var out update.DeleteSet
	for _, c := range clients {
		rs := p.dels[c]
		if len(rs) == 0 {
			continue
		}
		st := s.state(c)
		i, _ := slices.BinarySearchFunc(rs, st, func(r update.Range, clock uint64) int { return cmp.Compare(r.Clock, clock) })
		if i == 0 {
			continue
		}
		if out.Clients == nil {
			out = update.NewDeleteSet()
		}
		out.Clients[c] = slices.Clone(rs[:i])
		p.delRanges -= i
		if i == len(rs) {
			delete(p.dels, c)
		} else {
			p.dels[c] = rs[i:]
		}
	}
	return out
}

// delSet is the pending deletions as a delete set (shared ranges: do not modify).
func (p *pendingSet) delSet() update.DeleteSet {
	ds := update.NewDeleteSet()
	for c, rs := range p.dels {
		ds.Clients[c] = rs
	}
	return ds
}

// SetPendingLimit bounds the bytes the document keeps pending (PendingBytes): an update whose
// unresolved rest would take them over n keeps only what it could integrate, and its apply
// returns ErrPendingLimit. A negative n removes the limit (the default, as in Yjs).
func (d *Doc) SetPendingLimit(n int) {
	d.store.pending.limit, d.store.pending.limited = n, n >= 0
}

// PendingBytes is the size of what waits for missing dependencies: the encoded bytes of the
// pending structs plus 16 bytes per pending deletion range.
func (d *Doc) PendingBytes() int { return d.store.pending.size() }
