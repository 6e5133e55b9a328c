package update

import (
	"fmt"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
)

// ClientBlock is one client's run of structs, contiguous by clock.
type ClientBlock struct {
	Client  uint64
	Structs []Struct
}

// Update is a decoded update: client blocks in wire order, then the delete set.
type Update struct {
	Blocks    []ClientBlock
	DeleteSet DeleteSet
}

// Encode writes the update in v1 or v2. Decode followed by Encode reproduces
// Yjs-written bytes exactly (trailing bytes and empty client blocks aside).
func (u *Update) Encode(v2 bool) []byte {
	enc := newEncoder(v2)
	w := newBlockWriter(enc)
	for i := range u.Blocks {
		for j := range u.Blocks[i].Structs {
			w.write(&u.Blocks[i].Structs[j], 0)
		}
	}
	w.finish()
	u.DeleteSet.Write(enc)
	return enc.Bytes()
}

func newEncoder(v2 bool) codec.UpdateEncoder {
	if v2 {
		return codec.NewEncoderV2()
	}
	return codec.NewEncoderV1()
}

func newDecoder(b []byte, v2 bool) (codec.UpdateDecoder, error) {
	if !v2 {
		return codec.NewDecoderV1(b), nil
	}
	dec, err := codec.NewDecoderV2(b)
	if err != nil {
		return nil, malformed("v2 header", err)
	}
	return dec, nil
}

// Decode parses and validates a whole update. It never panics: counts are
// checked against the remaining input before anything is allocated, clocks may
// not pass 2^53, lengths may not be zero, content refs must be known, and a
// Skip must be written exactly as Yjs writes one (info 0x0a).
//
// Bytes after the delete set are ignored, as Yjs ignores them (readUpdate and
// the lazy readers of mergeUpdates/diffUpdate never look past the delete set);
// rejecting them would refuse updates every Yjs peer accepts. Empty client
// blocks (zero structs) are read and dropped: they carry nothing Yjs keeps.
func Decode(b []byte, v2 bool) (*Update, error) {
	dec, err := newDecoder(b, v2)
	if err != nil {
		return nil, err
	}
	r := structReader{dec: dec, v2: v2, budget: structBudget(len(b), v2), inputLen: len(b)}
	u := &Update{}
	if u.Blocks, err = r.readBlocks(); err != nil {
		return nil, err
	}
	if u.DeleteSet, err = ReadDeleteSet(dec); err != nil {
		return nil, err
	}
	return u, nil
}

// structBudget bounds the number of structs an update of n bytes may declare.
// A v1 struct takes at least one byte of input. v2 columns are run-length
// encoded, so a struct can cost almost nothing; 16 structs per input byte is far
// beyond anything Yjs writes and still stops a tiny input from asking for 2^50.
func structBudget(n int, v2 bool) uint64 {
	if v2 {
		return 16*uint64(n) + 1024
	}
	return uint64(n)
}

// initialStructCap sizes a block's struct slice. Growing it by appending copied every struct
// again and again (a third of the time of loading a large document), so the declared count
// is trusted as far as the input can back it: one struct per 8 bytes of update (real updates
// take more, v1 and v2 alike), so a small input cannot make us allocate much for Structs.
func initialStructCap(count uint64, inputLen int) int {
	return int(min(count, 1024+uint64(inputLen)/8))
}

// structReader reads the struct section of an update.
type structReader struct {
	dec      codec.UpdateDecoder
	v2       bool
	budget   uint64 // structs still allowed
	inputLen int    // bytes of the whole update, to size slices
}

func (r *structReader) readBlocks() ([]ClientBlock, error) { return r.readBlocksInto(nil) }

// readBlocksInto reads the client blocks into blocks[:0]; with a non-nil blocks it also reuses
// the struct slices left in blocks' capacity by an earlier call (see Scratch).
func (r *structReader) readBlocksInto(blocks []ClientBlock) ([]ClientBlock, error) {
	rest := r.dec.Rest()
	n, err := rest.ReadVarUint()
	if err != nil {
		return nil, malformed("client block count", err)
	}
	if n > uint64(rest.Remaining()) {
		return nil, fmt.Errorf("%w: %d client blocks declared", ErrMalformed, n)
	}
	if blocks == nil {
		blocks = make([]ClientBlock, 0, n)
	}
	blocks = blocks[:0]
	for range n {
		var reuse []Struct
		if len(blocks) < cap(blocks) {
			reuse = blocks[:len(blocks)+1][len(blocks)].Structs
		}
		b, err := r.readBlock(reuse)
		if err != nil {
			return nil, err
		}
		if len(b.Structs) > 0 {
			blocks = append(blocks, b)
		}
	}
	return blocks, nil
}

// readBlock reads one client block. Its structs go into reuse when that has room for the
// declared count (the structs are overwritten), else into a new slice.
func (r *structReader) readBlock(reuse []Struct) (ClientBlock, error) {
	rest := r.dec.Rest()
	count, err := rest.ReadVarUint()
	if err != nil {
		return ClientBlock{}, malformed("struct count", err)
	}
	if count > r.budget || (!r.v2 && count > uint64(rest.Remaining())) {
		return ClientBlock{}, fmt.Errorf("%w: %d structs declared", ErrTooManyStructs, count)
	}
	r.budget -= count
	client, err := r.dec.ReadClient()
	if err != nil {
		return ClientBlock{}, malformed("block client", err)
	}
	clock, err := rest.ReadVarUint()
	if err != nil {
		return ClientBlock{}, malformed("block clock", err)
	}
	structs := reuse[:0]
	if want := initialStructCap(count, r.inputLen); cap(reuse) < want {
		structs = make([]Struct, 0, want)
	}
	b := ClientBlock{Client: client, Structs: structs}
	for range count {
		s, err := r.readStruct(ID{Client: client, Clock: clock})
		if err != nil {
			return ClientBlock{}, err
		}
		if clock >= maxClock || s.Length > maxClock-clock {
			return ClientBlock{}, fmt.Errorf("%w: struct %d:%d+%d", ErrClockOverflow, client, clock, s.Length)
		}
		clock += s.Length
		b.Structs = append(b.Structs, s)
	}
	return b, nil
}
