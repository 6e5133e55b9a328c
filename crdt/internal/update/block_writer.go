package update

import (
	"github.com/meridian-sync/meridian/crdt/internal/codec"
)

// blockWriter streams structs into an encoder and groups consecutive structs of
// one client into a client block, like yjs LazyStructWriter. The struct count of
// a block is only known when the block ends, so blocks are first written to the
// rest stream back to back, and finish re-assembles the stream with the block
// count and per-block struct counts in front of each fragment. Column data (v2)
// is written in final order from the start, exactly as Yjs does.
type blockWriter struct {
	enc    codec.UpdateEncoder
	blocks []fragment
	client uint64
}

// fragment is one block's span of the rest stream and its struct count.
type fragment struct {
	start, end int
	count      uint64
}

func newBlockWriter(enc codec.UpdateEncoder) *blockWriter { return &blockWriter{enc: enc} }

// write appends s from unit offset on; a new block starts whenever the client changes.
func (w *blockWriter) write(s *Struct, offset uint64) {
	rest := w.enc.Rest()
	if len(w.blocks) == 0 || w.client != s.ID.Client {
		if n := len(w.blocks); n > 0 {
			w.blocks[n-1].end = rest.Len()
		}
		w.client = s.ID.Client
		w.blocks = append(w.blocks, fragment{start: rest.Len()})
		w.enc.WriteClient(s.ID.Client)
		rest.WriteVarUint(s.ID.Clock + offset)
	}
	WriteStruct(w.enc, s, offset)
	w.blocks[len(w.blocks)-1].count++
}

// finish puts the block count and the struct counts in front of the fragments.
// After it the encoder's rest stream holds a complete struct section.
func (w *blockWriter) finish() {
	rest := w.enc.Rest()
	if n := len(w.blocks); n > 0 {
		w.blocks[n-1].end = rest.Len()
	}
	body := append([]byte(nil), rest.Bytes()...)
	rest.Reset()
	rest.WriteVarUint(uint64(len(w.blocks)))
	for _, f := range w.blocks {
		rest.WriteVarUint(f.count)
		rest.WriteRaw(body[f.start:f.end])
	}
}
