package codec

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

type dsEncoderV2 struct {
	rest lib0.Encoder
	// curVal is the end of the previous range of the current client: v2
	// writes clocks relative to it and lengths minus one.
	curVal uint64
}

// NewDSEncoderV2 returns an encoder for a v2 delete set (no columns: Bytes is
// the rest stream alone, as Yjs's DSEncoderV2).
func NewDSEncoderV2() DSEncoder { return &dsEncoderV2{} }

func (e *dsEncoderV2) ResetDsCurVal()      { e.curVal = 0 }
func (e *dsEncoderV2) Rest() *lib0.Encoder { return &e.rest }
func (e *dsEncoderV2) Bytes() []byte       { return e.rest.Bytes() }

// WriteDsClock panics if clock is before the end of the previous range: ranges
// must be sorted and merged, and v2 has no way to express going backwards.
func (e *dsEncoderV2) WriteDsClock(clock uint64) {
	if clock < e.curVal {
		panic(fmt.Sprintf("codec: v2 delete set clock %d precedes the previous range end %d", clock, e.curVal))
	}
	e.rest.WriteVarUint(clock - e.curVal)
	e.curVal = clock
}

func (e *dsEncoderV2) WriteDsLen(n uint64) {
	if n == 0 {
		panic("codec: v2 delete set range of length 0")
	}
	e.rest.WriteVarUint(n - 1)
	e.curVal += n
}

type updateEncoderV2 struct {
	dsEncoderV2
	keyClock    int64
	keyClocks   lib0.IntDiffOptRleEncoder
	clients     lib0.UintOptRleEncoder
	leftClocks  lib0.IntDiffOptRleEncoder
	rightClocks lib0.IntDiffOptRleEncoder
	infos       lib0.RleUint8Encoder
	strings     lib0.StringEncoder
	parentInfos lib0.RleUint8Encoder
	typeRefs    lib0.UintOptRleEncoder
	lens        lib0.UintOptRleEncoder
}

// NewEncoderV2 returns an encoder for a v2 update. Bytes assembles a new slice
// each time it is called.
func NewEncoderV2() UpdateEncoder { return &updateEncoderV2{} }

// encoderV2Pool keeps v2 encoders with their column buffers between updates. Encoding a
// document fills ten columns that each grow from empty; reusing them removed most of the
// allocation (and the GC work it caused) of encoding a small document again and again.
var encoderV2Pool = sync.Pool{New: func() any { return &updateEncoderV2{} }}

// maxPooledEncoderV2 bounds the buffer capacity a pooled encoder may keep: encoding one
// huge document must not pin its columns for the rest of the process.
const maxPooledEncoderV2 = 4 << 20

// EncodeV2 runs write against a v2 update encoder taken from a pool and returns the update
// it wrote (a new slice). The encoder must not be used after write returns.
func EncodeV2(write func(UpdateEncoder)) []byte {
	e := encoderV2Pool.Get().(*updateEncoderV2)
	write(e)
	out := e.Bytes()
	if e.capacity() <= maxPooledEncoderV2 {
		e.reset()
		encoderV2Pool.Put(e)
	}
	return out
}

func (e *updateEncoderV2) columns() [9]interface{ WriteColumnTo(*lib0.Encoder) } {
	return [...]interface{ WriteColumnTo(*lib0.Encoder) }{
		&e.keyClocks, &e.clients, &e.leftClocks, &e.rightClocks,
		&e.infos, &e.strings, &e.parentInfos, &e.typeRefs, &e.lens,
	}
}

func (e *updateEncoderV2) capacity() int {
	return e.rest.Cap() + e.keyClocks.Cap() + e.clients.Cap() + e.leftClocks.Cap() + e.rightClocks.Cap() +
		e.infos.Cap() + e.strings.Cap() + e.parentInfos.Cap() + e.typeRefs.Cap() + e.lens.Cap()
}

func (e *updateEncoderV2) reset() {
	e.rest.Reset()
	e.curVal, e.keyClock = 0, 0
	e.keyClocks.Reset()
	e.clients.Reset()
	e.leftClocks.Reset()
	e.rightClocks.Reset()
	e.infos.Reset()
	e.strings.Reset()
	e.parentInfos.Reset()
	e.typeRefs.Reset()
	e.lens.Reset()
}

// Bytes lays out the feature flag, the nine columns (each length-prefixed) and
// then the rest stream, which runs to the end without a prefix. The columns are
// written straight into the output, which is sized once: growing it column by
// column, or copying each column out first, copied the whole update several times.
func (e *updateEncoderV2) Bytes() []byte {
	// Upper bound: each column's pending run flushes to at most 2 varints.
	size := 1 + e.rest.Len() + 9*3*binary.MaxVarintLen64 + e.keyClocks.Len() + e.clients.Len() +
		e.leftClocks.Len() + e.rightClocks.Len() + e.infos.Len() + e.strings.Len() +
		e.parentInfos.Len() + e.typeRefs.Len() + e.lens.Len()
	var out lib0.Encoder
	out.Grow(size)
	out.WriteVarUint(0) // feature flag, reserved by Yjs
	for _, c := range e.columns() {
		c.WriteColumnTo(&out)
	}
	out.WriteRaw(e.rest.Bytes())
	return out.Bytes()
}

func (e *updateEncoderV2) WriteLeftID(id ID) {
	e.clients.Write(id.Client)
	e.leftClocks.Write(int64(id.Clock))
}

func (e *updateEncoderV2) WriteRightID(id ID) {
	e.clients.Write(id.Client)
	e.rightClocks.Write(int64(id.Clock))
}

func (e *updateEncoderV2) WriteClient(client uint64) { e.clients.Write(client) }
func (e *updateEncoderV2) WriteInfo(info byte)       { e.infos.Write(info) }
func (e *updateEncoderV2) WriteString(s string)      { e.strings.Write(s) }
func (e *updateEncoderV2) WriteTypeRef(ref uint8)    { e.typeRefs.Write(uint64(ref)) }
func (e *updateEncoderV2) WriteLen(n uint64)         { e.lens.Write(n) }
func (e *updateEncoderV2) WriteAny(v any)            { e.rest.WriteAny(v) }
func (e *updateEncoderV2) WriteBuf(b []byte)         { e.rest.WriteVarBytes(b) }

// WriteJSON uses the any encoding: v2 never writes JSON text.
func (e *updateEncoderV2) WriteJSON(v any) { e.rest.WriteAny(v) }

func (e *updateEncoderV2) WriteParentInfo(isYKey bool) {
	if isYKey {
		e.parentInfos.Write(1)
	} else {
		e.parentInfos.Write(0)
	}
}

// WriteKey mirrors Yjs 13.6: every key gets a fresh key clock and its text is
// appended to the string column. Yjs has a key cache but never fills it (doing
// so would break older readers), so reusing a clock here would produce bytes
// Yjs never emits.
func (e *updateEncoderV2) WriteKey(key string) {
	e.keyClocks.Write(e.keyClock)
	e.keyClock++
	e.strings.Write(key)
}
