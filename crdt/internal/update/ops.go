package update

import "fmt"

// StateVectorOf derives a state vector from an update without a document
// (Y.encodeStateVectorFromUpdate, decoded). Per client only the contiguous
// prefix from clock 0 counts: a client whose first struct starts later gets no
// entry and the first Skip stops the count (yjs-protocol.md §4.3).
func StateVectorOf(update []byte, v2 bool) (StateVector, error) {
	u, err := Decode(update, v2)
	if err != nil {
		return nil, err
	}
	sv := StateVector{}
	c := newCursor(u, false)
	s := c.curr()
	if s == nil {
		return sv, nil
	}
	// The quirks are Yjs's: the very first struct counts even when it is a Skip
	// at clock 0, and the end of the last counted struct is taken without
	// checking contiguity.
	client, stop := s.ID.Client, s.ID.Clock != 0
	var clock uint64
	if !stop {
		clock = s.End()
	}
	for ; s != nil; s = c.next() {
		if s.ID.Client != client {
			if clock != 0 {
				sv[client] = clock
			}
			client, clock, stop = s.ID.Client, 0, s.ID.Clock != 0
		}
		if s.Kind == KindSkip {
			stop = true
		}
		if !stop {
			clock = s.End()
		}
	}
	if clock != 0 {
		sv[client] = clock
	}
	return sv, nil
}

// Diff trims an update to what a peer with state vector sv lacks, without a
// document (Y.diffUpdate): leading Skips of a client and structs below sv are
// dropped, the first struct crossing sv is sliced, everything after it of the
// same client is copied, and the delete set is copied unchanged.
func Diff(update []byte, sv StateVector, v2 bool) ([]byte, error) {
	u, err := Decode(update, v2)
	if err != nil {
		return nil, err
	}
	enc := newEncoder(v2)
	w := newBlockWriter(enc)
	c := newCursor(u, false)
	for s := c.curr(); s != nil; {
		client := s.ID.Client
		known := sv[client]
		switch {
		case s.Kind == KindSkip:
			s = c.next()
		case s.End() > known:
			w.write(s, known-min(known, s.ID.Clock))
			for s = c.next(); s != nil && s.ID.Client == client; s = c.next() {
				w.write(s, 0)
			}
		default:
			for s = c.next(); s != nil && s.ID.Client == client && s.End() <= known; s = c.next() {
			}
		}
	}
	w.finish()
	u.DeleteSet.Write(enc)
	return enc.Bytes(), nil
}

// Convert re-encodes an update from one format to the other (yjs
// convertUpdateFormatV1ToV2 / V2ToV1); the delete set is copied unchanged.
func Convert(update []byte, fromV2, toV2 bool) ([]byte, error) {
	u, err := Decode(update, fromV2)
	if err != nil {
		return nil, err
	}
	enc := newEncoder(toV2)
	w := newBlockWriter(enc)
	c := newCursor(u, false)
	for s := c.curr(); s != nil; s = c.next() {
		if !toV2 && s.Kind == KindItem && !jsonSafe(s.Content) {
			return nil, fmt.Errorf("%w: struct %d:%d", ErrNotJSON, s.ID.Client, s.ID.Clock)
		}
		w.write(s, 0)
	}
	w.finish()
	u.DeleteSet.Write(enc)
	return enc.Bytes(), nil
}
