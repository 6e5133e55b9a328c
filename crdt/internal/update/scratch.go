package update

import "github.com/meridian-sync/meridian/crdt/internal/codec"

// Scratch decodes v1 updates into memory reused from the previous call: the Update, its block
// and struct slices, the delete-set map and ranges, and the decoder. A document applying a
// peer's keystrokes one update at a time otherwise allocated all of these for every update,
// which was most of the cost of applying one.
//
// The Update Decode returns is valid until the next Decode or Release on the same Scratch;
// its Contents and strings are freshly allocated and may be kept. A Scratch is not safe for
// concurrent use.
type Scratch struct {
	u      Update
	dec    codec.DecoderV1
	ranges []Range // backing store of the delete set's ranges
}

// maxScratchStructs bounds what a Scratch keeps between calls, so that one huge update does
// not stay pinned by a long-lived scratch. A whole small or medium document (tens of
// thousands of structs) stays: loading the next one then reuses the slice.
var maxScratchStructs = 1 << 16 // a variable so that tests can lower it

// Decode is Decode(b, v2) reusing s's memory (for v2 the column decoders are still new).
func (s *Scratch) Decode(b []byte, v2 bool) (*Update, error) {
	var dec codec.UpdateDecoder = &s.dec
	if v2 {
		var err error
		if dec, err = newDecoder(b, true); err != nil {
			return nil, err
		}
	} else {
		s.dec.Reset(b)
	}
	r := structReader{dec: dec, v2: v2, budget: structBudget(len(b), v2), inputLen: len(b)}
	u := &s.u
	var err error
	if u.Blocks, err = r.readBlocksInto(u.Blocks[:0]); err != nil {
		s.Release()
		return nil, err
	}
	if u.DeleteSet.Clients == nil {
		u.DeleteSet = NewDeleteSet()
	}
	if s.ranges, err = readDeleteSetInto(dec, u.DeleteSet, s.ranges[:0]); err != nil {
		s.Release()
		return nil, err
	}
	return u, nil
}

// Release drops the references the last decoded Update holds (contents, strings) and the
// memory of an update too big to keep.
func (s *Scratch) Release() {
	blocks := s.u.Blocks[:cap(s.u.Blocks)]
	total := 0
	for i := range blocks {
		clear(blocks[i].Structs[:cap(blocks[i].Structs)])
		blocks[i].Structs = blocks[i].Structs[:0]
		total += cap(blocks[i].Structs)
	}
	if total > maxScratchStructs || len(blocks) > maxScratchStructs {
		s.u.Blocks = nil
	}
	s.u.Blocks = s.u.Blocks[:0]
	if len(s.u.DeleteSet.Clients) > maxScratchStructs || cap(s.ranges) > maxScratchStructs {
		s.u.DeleteSet, s.ranges = DeleteSet{}, nil
	} else {
		clear(s.u.DeleteSet.Clients)
	}
	s.dec.Reset(nil)
}
