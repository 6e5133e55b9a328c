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
// (yjs StructStore), in chunked lists (struct_list.go) searched by bisection.
type store struct {
	clients map[uint64]*structList
	order   []uint64 // clients in first-seen order: iterating a slice is cheaper than a map

	pending pendingSet // structs and deletions waiting for missing dependencies (pending.go)

	lastFullSizeV1 int // bytes of the last full-state v1 encode: the next one's buffer size

	textRuns update.StringRuns // the buffers of the text runs that merges are growing

	tx *Transaction // the transaction whose changes are running, told of every struct added
}

func newStore() *store { return &store{clients: make(map[uint64]*structList)} }

// structs returns the client's list, nil (an empty list) for an unknown client.
func (s *store) structs(client uint64) *structList { return s.clients[client] }

// state is the next clock expected from client.
func (s *store) state(client uint64) uint64 {
	l := s.clients[client]
	if l == nil {
		return 0
	}
	last := l.last()
	return last.id.Clock + last.len()
}

func (s *store) stateVector() StateVector {
	sv := make(StateVector, len(s.clients))
	s.fillStateVector(sv)
	return sv
}

// fillStateVector writes the state of every client into sv.
func (s *store) fillStateVector(sv StateVector) {
	for _, c := range s.order {
		last := s.clients[c].last()
		sv[c] = last.id.Clock + last.len()
	}
}

// add appends a struct; it must continue its client's clocks exactly.
func (s *store) add(it *item) {
	if s.tx != nil {
		s.tx.touch(it.id.Client, it.id.Clock)
	}
	l := s.clients[it.id.Client]
	if l == nil {
		l = &structList{}
		s.clients[it.id.Client] = l
		s.order = append(s.order, it.id.Client)
	}
	l.push(it)
}

// find returns the struct containing id, without splitting.
func (s *store) find(id ID) *item {
	l := s.structs(id.Client)
	i, ok := l.find(id.Clock)
	if !ok {
		return nil
	}
	return l.at(i)
}

// insertAt puts it at index i of its client's list.
func (s *store) insertAt(client uint64, i int, it *item) {
	s.clients[client].insert(i, it)
}

// cleanStartIndex splits the struct containing clock so that a struct begins at clock and
// returns its index (yjs findIndexCleanStart).
func (s *store) cleanStartIndex(tx *Transaction, client, clock uint64) (int, bool) {
	l := s.structs(client)
	i, ok := l.find(clock)
	if !ok {
		return 0, false
	}
	it := l.at(i)
	if it.id.Clock < clock && !it.isGC() {
		l.insert(i+1, it.split(tx, clock-it.id.Clock))
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
	return s.structs(id.Client).at(i)
}

// cleanEnd returns the struct ending at id (splitting if needed; GC structs are never split).
func (s *store) cleanEnd(tx *Transaction, id ID) *item {
	l := s.structs(id.Client)
	i, ok := l.find(id.Clock)
	if !ok {
		return nil
	}
	it := l.at(i)
	if id.Clock != it.id.Clock+it.len()-1 && !it.isGC() {
		l.insert(i+1, it.split(tx, id.Clock-it.id.Clock+1))
	}
	return it
}

// replace swaps the struct at it's position for repl (used when GC replaces an item).
func (s *store) replace(it, repl *item) {
	l := s.structs(it.id.Client)
	if i, ok := l.find(it.id.Clock); ok {
		l.set(i, repl)
	}
}

// deleteSet derives the delete set of the whole document: every deleted struct, adjacent ones
// joined (yjs createDeleteSetFromStructStore).
func (s *store) deleteSet() update.DeleteSet {
	ds := update.NewDeleteSet()
	for client, l := range s.clients {
		var ranges []update.Range
		for _, c := range l.chunks {
			for _, it := range c.items {
				if !it.deleted() {
					continue
				}
				if n := len(ranges); n > 0 && ranges[n-1].Clock+ranges[n-1].Len == it.id.Clock {
					ranges[n-1].Len += it.len()
					continue
				}
				ranges = append(ranges, update.Range{Clock: it.id.Clock, Len: it.len()})
			}
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
