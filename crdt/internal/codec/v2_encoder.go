package codec

import (
	"encoding/binary"
	"fmt"

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

// Bytes lays out the feature flag, the nine columns (each length-prefixed) and
// then the rest stream, which runs to the end without a prefix.
func (e *updateEncoderV2) Bytes() []byte {
	columns := [...][]byte{
		e.keyClocks.Bytes(), e.clients.Bytes(), e.leftClocks.Bytes(), e.rightClocks.Bytes(),
		e.infos.Bytes(), e.strings.Bytes(), e.parentInfos.Bytes(), e.typeRefs.Bytes(), e.lens.Bytes(),
	}
	// Size the output once: growing it column by column copied the whole update several
	// times, which was a large part of encoding a small document.
	size := 1 + e.rest.Len()
	for _, c := range columns {
		size += binary.MaxVarintLen64 + len(c)
	}
	var out lib0.Encoder
	out.Grow(size)
	out.WriteVarUint(0) // feature flag, reserved by Yjs
	for _, c := range columns {
		out.WriteVarBytes(c)
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
