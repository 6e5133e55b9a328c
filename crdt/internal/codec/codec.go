package codec

import "github.com/meridian-sync/meridian/crdt/internal/lib0"

// ID identifies one unit of content: the clock-th unit created by client.
type ID struct{ Client, Clock uint64 }

// DSEncoder writes delete sets. v1 writes clocks and lengths as plain varUints;
// v2 writes each clock relative to the end of the previous range of the same
// client (reset with ResetDsCurVal at every client) and each length minus one.
type DSEncoder interface {
	ResetDsCurVal()
	WriteDsClock(clock uint64)
	// WriteDsLen writes a range length. In v2 a length of 0 cannot be
	// represented; passing it is a programmer error and panics (Yjs throws too).
	WriteDsLen(n uint64)
	// Rest is the raw stream: counts and clients of the delete set, block
	// headers of updates, are written here directly.
	Rest() *lib0.Encoder
	// Bytes is the finished output (for v2 update encoders: feature flag, the
	// nine columns, then the rest stream). It may be called more than once.
	Bytes() []byte
}

// UpdateEncoder writes the fields of an update's structs. The same sequence
// of calls produces a v1 or a v2 update depending on the implementation, which
// routes each field to the rest stream (v1) or to its column (v2).
type UpdateEncoder interface {
	DSEncoder
	WriteLeftID(id ID)
	WriteRightID(id ID)
	WriteClient(client uint64)
	WriteInfo(info byte)
	WriteString(s string)
	WriteParentInfo(isYKey bool)
	WriteTypeRef(ref uint8)
	WriteLen(n uint64)
	// WriteAny writes a canonical lib0 value (it panics on non-canonical ones).
	WriteAny(v any)
	WriteBuf(b []byte)
	// WriteJSON writes an embed or format value: v1 as varString(JSON.stringify),
	// v2 as an any value. v1 cannot fail: a BigInt is written as its digits and a
	// top-level undefined as null, where JS would throw.
	WriteJSON(v any)
	WriteKey(key string)
}

// DSDecoder reads delete sets written by the matching DSEncoder.
type DSDecoder interface {
	ResetDsCurVal()
	ReadDsClock() (uint64, error)
	ReadDsLen() (uint64, error)
	Rest() *lib0.Decoder
}

// UpdateDecoder reads the fields written by the matching UpdateEncoder.
// Every method returns an error on truncated or malformed input.
type UpdateDecoder interface {
	DSDecoder
	ReadLeftID() (ID, error)
	ReadRightID() (ID, error)
	ReadClient() (uint64, error)
	ReadInfo() (byte, error)
	ReadString() (string, error)
	ReadParentInfo() (bool, error)
	ReadTypeRef() (uint8, error)
	ReadLen() (uint64, error)
	ReadAny() (any, error)
	// ReadBuf returns a copy, so decoded content never pins or aliases the input.
	ReadBuf() ([]byte, error)
	ReadJSON() (any, error)
	ReadKey() (string, error)
}
