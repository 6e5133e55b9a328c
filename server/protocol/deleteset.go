package protocol

import (
	"slices"
)

// DeleteRange is a run of deleted clocks [Clock, Clock+Len) of one client.
type DeleteRange struct {
	Clock, Len uint64
}

// DeleteSet maps client ids to deleted ranges, as in the tail of a v1 update or the head of a v1 snapshot.
// The server reads it to decide whether an update from a read-only connection would change anything:
// Yjs clients attach their whole delete set to every step 2, so an unchanged one must not count as a write.
type DeleteSet map[uint64][]DeleteRange

// decodeDeleteSet reads `varUint clients, per client (varUint client, varUint n, n × (clock, len))`.
func decodeDeleteSet(r *reader) (DeleteSet, error) {
	clients, err := r.varUint()
	if err != nil {
		return nil, err
	}
	if clients > uint64(r.remaining()) {
		return nil, malformed("delete set claims %d clients in %d bytes", clients, r.remaining())
	}
	ds := make(DeleteSet, clients)
	for range clients {
		client, err := r.varUint()
		if err != nil {
			return nil, err
		}
		n, err := r.varUint()
		if err != nil {
			return nil, err
		}
		if n > uint64(r.remaining()/2) {
			return nil, malformed("delete set claims %d ranges in %d bytes", n, r.remaining())
		}
		for range n {
			var d DeleteRange
			if d.Clock, err = r.varUint(); err != nil {
				return nil, err
			}
			if d.Len, err = r.varUint(); err != nil {
				return nil, err
			}
			ds[client] = append(ds[client], d)
		}
	}
	return ds, nil
}

// DecodeStructlessUpdate reads a v1 update that carries no structs (its first varUint, the number of
// clients with structs, is 0) and returns its delete set. hasStructs reports an update that does carry
// structs; its delete set is then not read.
func DecodeStructlessUpdate(update []byte) (ds DeleteSet, hasStructs bool, err error) {
	r := &reader{buf: update}
	n, err := r.varUint()
	if err != nil {
		return nil, false, err
	}
	if n != 0 {
		return nil, true, nil
	}
	if ds, err = decodeDeleteSet(r); err != nil {
		return nil, false, err
	}
	return ds, false, r.end()
}

// DecodeSnapshotDeleteSet reads the delete set at the head of a v1 snapshot (Y.encodeSnapshot: DS then SV).
func DecodeSnapshotDeleteSet(snapshot []byte) (DeleteSet, error) {
	return decodeDeleteSet(&reader{buf: snapshot})
}

// Covers reports whether every range of other is already deleted in ds.
func (ds DeleteSet) Covers(other DeleteSet) bool {
	for client, ranges := range other {
		have := mergedRanges(ds[client])
		for _, want := range ranges {
			if want.Len == 0 {
				continue
			}
			if !rangeCovered(have, want) {
				return false
			}
		}
	}
	return true
}

func mergedRanges(in []DeleteRange) []DeleteRange {
	rs := slices.Clone(in)
	slices.SortFunc(rs, func(a, b DeleteRange) int { return compareUint(a.Clock, b.Clock) })
	var out []DeleteRange
	for _, r := range rs {
		if last := len(out) - 1; last >= 0 && r.Clock <= out[last].Clock+out[last].Len {
			out[last].Len = max(out[last].Len, r.Clock+r.Len-out[last].Clock)
			continue
		}
		out = append(out, r)
	}
	return out
}

// rangeCovered looks for the merged range starting at or before want and checks it reaches want's end.
func rangeCovered(merged []DeleteRange, want DeleteRange) bool {
	i, found := slices.BinarySearchFunc(merged, want.Clock, func(r DeleteRange, c uint64) int { return compareUint(r.Clock, c) })
	if !found {
		i--
	}
	if i < 0 {
		return false
	}
	r := merged[i]
	return want.Clock >= r.Clock && want.Clock+want.Len <= r.Clock+r.Len
}
