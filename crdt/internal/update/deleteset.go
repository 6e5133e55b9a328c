package update

import (
	"fmt"
	"slices"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
)

// Range is a run of deleted clocks [Clock, Clock+Len) of one client.
type Range struct{ Clock, Len uint64 }

// End is the first clock after the range.
func (r Range) End() uint64 { return r.Clock + r.Len }

// DeleteSet lists deleted IDs per client (yjs src/utils/DeleteSet.js). Ranges
// are kept in the order they were added or read; SortAndMerge makes them sorted,
// non-overlapping and non-adjacent, which Contains requires.
type DeleteSet struct{ Clients map[uint64][]Range }

// NewDeleteSet returns an empty delete set.
func NewDeleteSet() DeleteSet { return DeleteSet{Clients: map[uint64][]Range{}} }

// Add appends a range without sorting; call SortAndMerge before querying.
func (ds DeleteSet) Add(client, clock, length uint64) {
	ds.Clients[client] = append(ds.Clients[client], Range{Clock: clock, Len: length})
}

// SortAndMerge sorts every client's ranges by clock and joins overlapping or
// adjacent ones (yjs sortAndMergeDeleteSet).
func (ds DeleteSet) SortAndMerge() {
	for client, rs := range ds.Clients {
		ds.Clients[client] = sortAndMergeRanges(rs)
	}
}

func sortAndMergeRanges(rs []Range) []Range {
	slices.SortFunc(rs, func(a, b Range) int {
		switch {
		case a.Clock < b.Clock:
			return -1
		case a.Clock > b.Clock:
			return 1
		}
		return 0
	})
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && out[n-1].End() >= r.Clock {
			out[n-1].Len = max(out[n-1].End(), r.End()) - out[n-1].Clock
			continue
		}
		out = append(out, r)
	}
	return out
}

// Contains reports whether id is deleted. The set must be sorted and merged.
func (ds DeleteSet) Contains(id ID) bool {
	rs := ds.Clients[id.Client]
	i, _ := slices.BinarySearchFunc(rs, id.Clock, func(r Range, clock uint64) int {
		switch {
		case r.End() <= clock:
			return -1
		case r.Clock > clock:
			return 1
		}
		return 0
	})
	return i < len(rs) && rs[i].Clock <= id.Clock && id.Clock < rs[i].End()
}

// IsEmpty reports whether no client has a range.
func (ds DeleteSet) IsEmpty() bool {
	for _, rs := range ds.Clients {
		if len(rs) > 0 {
			return false
		}
	}
	return true
}

// MergeDeleteSets unions the sets into a new, sorted and merged set (yjs mergeDeleteSets).
func MergeDeleteSets(sets ...DeleteSet) DeleteSet {
	out := NewDeleteSet()
	for _, ds := range sets {
		for client, rs := range ds.Clients {
			out.Clients[client] = append(out.Clients[client], rs...)
		}
	}
	out.SortAndMerge()
	return out
}

// descendingClients lists the clients with at least one range, highest first.
func (ds DeleteSet) descendingClients() []uint64 {
	clients := make([]uint64, 0, len(ds.Clients))
	for c, rs := range ds.Clients {
		if len(rs) > 0 {
			clients = append(clients, c)
		}
	}
	slices.SortFunc(clients, func(a, b uint64) int { return compareDesc(a, b) })
	return clients
}

func compareDesc(a, b uint64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// Write encodes the set with clients in descending order, as Yjs 13.6 writes
// them; each client's ranges are written in their stored order. A client whose
// ranges go backwards (possible only in hand-made input that lists a client
// twice or unsorted) is written sorted and merged instead: v2 stores each clock
// as a non-negative distance from the previous range, and Yjs itself would emit
// garbage there.
func (ds DeleteSet) Write(enc codec.DSEncoder) {
	clients := ds.descendingClients()
	rest := enc.Rest()
	rest.WriteVarUint(uint64(len(clients)))
	for _, c := range clients {
		enc.ResetDsCurVal()
		rest.WriteVarUint(c)
		rs := ds.Clients[c]
		if !ascending(rs) {
			rs = sortAndMergeRanges(slices.Clone(rs))
		}
		rest.WriteVarUint(uint64(len(rs)))
		for _, r := range rs {
			enc.WriteDsClock(r.Clock)
			enc.WriteDsLen(r.Len)
		}
	}
}

// ascending reports whether every range starts at or after the end of the previous one.
func ascending(rs []Range) bool {
	for i := 1; i < len(rs); i++ {
		if rs[i].Clock < rs[i-1].End() {
			return false
		}
	}
	return true
}

// ReadDeleteSet decodes a delete set as yjs readDeleteSet does: ranges keep
// their wire order (no sorting), a client listed twice gets both lists
// appended, and a client with no ranges is left out. Ranges of length zero (a
// no-op in v1 and unrepresentable in v2) and ranges ending beyond 2^53 are rejected.
func ReadDeleteSet(dec codec.DSDecoder) (DeleteSet, error) {
	rest := dec.Rest()
	n, err := rest.ReadVarUint()
	if err != nil {
		return NewDeleteSet(), malformed("delete set client count", err)
	}
	if n > uint64(rest.Remaining()) {
		return NewDeleteSet(), fmt.Errorf("%w: delete set declares %d clients", ErrMalformed, n)
	}
	ds := DeleteSet{Clients: make(map[uint64][]Range, n)}
	for range n {
		dec.ResetDsCurVal()
		if _, err := readClientRanges(dec, ds, nil); err != nil {
			return ds, err
		}
	}
	return ds, nil
}

// readDeleteSetInto is ReadDeleteSet into ds (emptied first), with the ranges appended to
// arena, which it returns for reuse (see Scratch).
func readDeleteSetInto(dec codec.DSDecoder, ds DeleteSet, arena []Range) ([]Range, error) {
	clear(ds.Clients)
	rest := dec.Rest()
	n, err := rest.ReadVarUint()
	if err != nil {
		return arena, malformed("delete set client count", err)
	}
	if n > uint64(rest.Remaining()) {
		return arena, fmt.Errorf("%w: delete set declares %d clients", ErrMalformed, n)
	}
	for range n {
		dec.ResetDsCurVal()
		if arena, err = readClientRanges(dec, ds, arena); err != nil {
			return arena, err
		}
	}
	return arena, nil
}

// readClientRanges reads one client's ranges into ds. With a non-nil arena the ranges are
// appended to it (and the grown arena returned) instead of allocated per client.
func readClientRanges(dec codec.DSDecoder, ds DeleteSet, arena []Range) ([]Range, error) {
	rest := dec.Rest()
	client, err := rest.ReadVarUint()
	if err != nil {
		return arena, malformed("delete set client", err)
	}
	count, err := rest.ReadVarUint()
	if err != nil {
		return arena, malformed("delete set range count", err)
	}
	// Every range takes at least two bytes of the rest stream.
	if count > uint64(rest.Remaining())/2 {
		return arena, fmt.Errorf("%w: delete set declares %d ranges", ErrMalformed, count)
	}
	if count == 0 {
		return arena, nil
	}
	// Collect the ranges first: one map update per client instead of one per range.
	start := len(arena)
	if arena == nil {
		arena = make([]Range, 0, count)
	}
	ranges := arena
	for range count {
		clock, err := dec.ReadDsClock()
		if err != nil {
			return arena, malformed("delete range clock", err)
		}
		length, err := dec.ReadDsLen()
		if err != nil {
			return arena, malformed("delete range length", err)
		}
		if length == 0 {
			return arena, fmt.Errorf("%w: delete range %d:%d", ErrZeroLength, client, clock)
		}
		if clock >= maxClock || length > maxClock-clock {
			return arena, fmt.Errorf("%w: delete range %d:%d+%d", ErrClockOverflow, client, clock, length)
		}
		ranges = append(ranges, Range{Clock: clock, Len: length})
	}
	// cap-limited, so that appending to one client's ranges never overwrites the next's
	mine := ranges[start:len(ranges):len(ranges)]
	if prev := ds.Clients[client]; prev != nil {
		mine = append(prev, mine...)
	}
	ds.Clients[client] = mine
	return ranges, nil
}
