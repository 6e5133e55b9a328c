package crdt

import (
	"errors"
	"slices"

	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// errMissingStruct reports a lookup of a clock the store does not hold; the decoder's validation
// and the dependency checks make it unreachable for well-formed input, so seeing it means the
// update referenced something it could not.
var errMissingStruct = errors.New("crdt: update references a struct that does not exist")

// store holds, per client, the structs sorted by clock and contiguous from clock 0
// (yjs StructStore). Lookups are binary searches over these slices.
type store struct {
	clients map[uint64]*[]*item
	order   []uint64 // clients in first-seen order: iterating a slice is cheaper than a map

	pendingStructs *pendingStructs // structs waiting for missing dependencies (v2 update)
	pendingDS      []byte          // deletions of clocks not yet known (v2 update with 0 structs)
}

type pendingStructs struct {
	missing StateVector // client -> lowest clock whose arrival may unblock the update
	update  []byte      // v2
}

func newStore() *store { return &store{clients: make(map[uint64]*[]*item)} }

func (s *store) structs(client uint64) []*item {
	if p := s.clients[client]; p != nil {
		return *p
	}
	return nil
}

// state is the next clock expected from client.
func (s *store) state(client uint64) uint64 {
	p := s.clients[client]
	if p == nil {
		return 0
	}
	last := (*p)[len(*p)-1]
	return last.id.Clock + last.length
}

func (s *store) stateVector() StateVector {
	sv := make(StateVector, len(s.clients))
	s.fillStateVector(sv)
	return sv
}

// fillStateVector writes the state of every client into sv.
func (s *store) fillStateVector(sv StateVector) {
	for _, c := range s.order {
		sl := *s.clients[c]
		last := sl[len(sl)-1]
		sv[c] = last.id.Clock + last.length
	}
}

// add appends a struct; it must continue its client's clocks exactly.
func (s *store) add(it *item) {
	p := s.clients[it.id.Client]
	if p == nil {
		sl := make([]*item, 0, 8)
		p = &sl
		s.clients[it.id.Client] = p
		s.order = append(s.order, it.id.Client)
	}
	*p = append(*p, it)
}

// findIndex is yjs findIndexSS: binary search with a pivot guess, since clocks are dense.
func findIndex(structs []*item, clock uint64) (int, bool) {
	lo, hi := 0, len(structs)-1
	if hi < 0 {
		return 0, false
	}
	last := structs[hi]
	if last.id.Clock == clock {
		return hi, true
	}
	if end := last.id.Clock + last.length; end > 0 && clock < end {
		mid := int(float64(clock) / float64(end-1) * float64(hi))
		if mid >= 0 && mid <= hi {
			if s := structs[mid]; s.id.Clock <= clock && clock < s.id.Clock+s.length {
				return mid, true
			}
		}
	}
	for lo <= hi {
		mid := (lo + hi) / 2
		s := structs[mid]
		switch {
		case clock < s.id.Clock:
			hi = mid - 1
		case clock >= s.id.Clock+s.length:
			lo = mid + 1
		default:
			return mid, true
		}
	}
	return 0, false
}

// find returns the struct containing id, without splitting.
func (s *store) find(id ID) *item {
	sl := s.structs(id.Client)
	i, ok := findIndex(sl, id.Clock)
	if !ok {
		return nil
	}
	return sl[i]
}

// insertAt puts it at index i of its client's slice.
func (s *store) insertAt(client uint64, i int, it *item) {
	p := s.clients[client]
	*p = slices.Insert(*p, i, it)
}

// cleanStartIndex splits the struct containing clock so that a struct begins at clock and
// returns its index (yjs findIndexCleanStart).
func (s *store) cleanStartIndex(tx *Transaction, client, clock uint64) (int, bool) {
	sl := s.structs(client)
	i, ok := findIndex(sl, clock)
	if !ok {
		return 0, false
	}
	it := sl[i]
	if it.id.Clock < clock && !it.isGC() {
		s.insertAt(client, i+1, it.split(tx, clock-it.id.Clock))
		return i + 1, true
	}
	return i, true
}

// cleanStart returns the struct beginning at id (splitting if needed).
func (s *store) cleanStart(tx *Transaction, id ID) *item {
	i, ok := s.cleanStartIndex(tx, id.Client, id.Clock)
	if !ok {
		return nil
	}
	return s.structs(id.Client)[i]
}

// cleanEnd returns the struct ending at id (splitting if needed; GC structs are never split).
func (s *store) cleanEnd(tx *Transaction, id ID) *item {
	sl := s.structs(id.Client)
	i, ok := findIndex(sl, id.Clock)
	if !ok {
		return nil
	}
	it := sl[i]
	if id.Clock != it.id.Clock+it.length-1 && !it.isGC() {
		s.insertAt(id.Client, i+1, it.split(tx, id.Clock-it.id.Clock+1))
	}
	return it
}

// replace swaps the struct at it's position for repl (used when GC replaces an item).
func (s *store) replace(it, repl *item) {
	sl := s.structs(it.id.Client)
	if i, ok := findIndex(sl, it.id.Clock); ok {
		sl[i] = repl
	}
}

// deleteSet derives the delete set of the whole document: every deleted struct, adjacent ones
// joined (yjs createDeleteSetFromStructStore).
func (s *store) deleteSet() update.DeleteSet {
	ds := update.NewDeleteSet()
	for client, p := range s.clients {
		sl := *p
		var ranges []update.Range
		for i := 0; i < len(sl); i++ {
			it := sl[i]
			if !it.deleted() {
				continue
			}
			r := update.Range{Clock: it.id.Clock, Len: it.length}
			for i+1 < len(sl) && sl[i+1].deleted() {
				i++
				r.Len += sl[i].length
			}
			ranges = append(ranges, r)
		}
		if len(ranges) > 0 {
			ds.Clients[client] = ranges
		}
	}
	return ds
}

// sortedClientsDesc lists the clients of a state vector highest first, the order yjs writes.
func sortedClientsDesc(sv map[uint64]uint64) []uint64 {
	cs := make([]uint64, 0, len(sv))
	for c := range sv {
		cs = append(cs, c)
	}
	slices.Sort(cs)
	slices.Reverse(cs)
	return cs
}
