package protocol

import "errors"

// Byte limits of the awareness table. A count of states alone let one connection park a few dozen states of
// megabytes each, all of which every joining connection was then sent in one message.

// ErrAwarenessStateTooLarge is returned when an update carries a state over the per-state byte limit.
var ErrAwarenessStateTooLarge = errors.New("meridian/protocol: awareness state over its byte limit")

// ErrAwarenessBytesFull is returned when accepting an update would take the table's states over its byte limit.
var ErrAwarenessBytesFull = errors.New("meridian/protocol: awareness byte limit of the document reached")

// SetByteLimits bounds the bytes of one state (its JSON text) and of all live states (0 = unlimited). An
// update breaking either is refused whole, like one breaking the count limit.
func (a *Awareness) SetByteLimits(perState, total int) {
	a.maxStateBytes, a.maxBytes = perState, total
}

// Bytes is the size of the live states' JSON texts.
func (a *Awareness) Bytes() int { return a.bytes }

// checkBytes runs the acceptance rules of Apply over entries without changing anything and reports whether
// the result would break a byte limit.
func (a *Awareness) checkBytes(entries []AwarenessEntry) error {
	if a.maxStateBytes <= 0 && a.maxBytes <= 0 {
		return nil
	}
	type view struct {
		clock uint64
		state string
	}
	var overlay map[uint64]view // clients an earlier entry of this update changed
	total := a.bytes
	for _, e := range entries {
		if !e.IsNull() && a.maxStateBytes > 0 && len(e.State) > a.maxStateBytes {
			return ErrAwarenessStateTooLarge
		}
		v, seen := overlay[e.ClientID]
		if !seen {
			if m := a.meta[e.ClientID]; m != nil {
				v = view{m.clock, m.state}
			}
		}
		hasState := v.state != ""
		if e.Clock < v.clock || (e.Clock == v.clock && (!e.IsNull() || !hasState)) {
			continue
		}
		total -= len(v.state)
		if e.IsNull() {
			v = view{e.Clock, ""}
		} else {
			v = view{e.Clock, e.State}
			total += len(e.State)
		}
		if overlay == nil {
			overlay = map[uint64]view{}
		}
		overlay[e.ClientID] = v
	}
	if a.maxBytes > 0 && total > a.maxBytes && total > a.bytes {
		return ErrAwarenessBytesFull
	}
	return nil
}

// awarenessMessageOverhead bounds the bytes an awareness message adds to its update: the message type and
// the update's length, each a varUint.
const awarenessMessageOverhead = 1 + 10

// EncodeAwarenessMessages encodes entries as awareness messages of at most maxMessage bytes each (0 = one
// message), splitting between entries. An entry too large for any message goes alone. No entries make one
// message with none.
func EncodeAwarenessMessages(entries []AwarenessEntry, maxMessage int) [][]byte {
	if maxMessage <= 0 || len(entries) == 0 {
		return [][]byte{EncodeAwarenessMessage(EncodeAwarenessUpdate(entries))}
	}
	var out [][]byte
	start, size := 0, awarenessMessageOverhead+10 // the entry count
	for i, e := range entries {
		n := entrySize(e)
		if i > start && size+n > maxMessage {
			out = append(out, EncodeAwarenessMessage(EncodeAwarenessUpdate(entries[start:i])))
			start, size = i, awarenessMessageOverhead+10
		}
		size += n
	}
	return append(out, EncodeAwarenessMessage(EncodeAwarenessUpdate(entries[start:])))
}

// entrySize bounds the encoded size of an entry: two varUints and a string with its length.
func entrySize(e AwarenessEntry) int { return 10 + 10 + 5 + len(e.State) }
