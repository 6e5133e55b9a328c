package lib0

import (
	"encoding/binary"
	"math"
	"slices"
	"unicode/utf8"
)

// Encoder appends lib0 primitives to a growable byte slice.
// The zero value is ready to use.
type Encoder struct {
	buf []byte
}

// Bytes returns the encoded bytes. The slice aliases the encoder's buffer: it is
// valid until the next write or Reset and must not be modified.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len is the number of bytes written so far.
func (e *Encoder) Len() int { return len(e.buf) }

// Grow makes room for n more bytes, so that writing a known amount copies the buffer at
// most once.
func (e *Encoder) Grow(n int) { e.buf = slices.Grow(e.buf, n) }

// Reset empties the encoder but keeps its capacity for reuse.
func (e *Encoder) Reset() { e.buf = e.buf[:0] }

// WriteUint8 appends one byte.
func (e *Encoder) WriteUint8(b byte) { e.buf = append(e.buf, b) }

// WriteRaw appends b verbatim, with no length prefix.
func (e *Encoder) WriteRaw(b []byte) { e.buf = append(e.buf, b...) }

// WriteVarUint appends v as base-128 groups, least significant first (LEB128).
// lib0 never produces values above MaxSafeInteger and its decoders (and ours)
// reject them, so callers must keep v within that range to stay interoperable.
//
// It appends byte by byte rather than assigning binary.AppendUvarint's result: the compiler
// turns `e.buf = append(e.buf, b)` into a length update while capacity lasts, but storing a
// returned slice writes the pointer, which costs a GC write barrier whenever a collection is
// running. Encoding a document writes a varUint per field, and those barriers were a fifth
// of encoding a small document.
func (e *Encoder) WriteVarUint(v uint64) {
	for v >= 0x80 {
		e.buf = append(e.buf, byte(v)|0x80)
		v >>= 7
	}
	e.buf = append(e.buf, byte(v))
}

// AppendVarUint appends v to b as WriteVarUint writes it (for code that builds plain slices).
func AppendVarUint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

// AppendVarBytes appends data to b as WriteVarBytes writes it.
func AppendVarBytes(b, data []byte) []byte {
	return append(AppendVarUint(b, uint64(len(data))), data...)
}

// AppendVarString appends s to b as WriteVarString writes it.
func AppendVarString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = ToValidUTF8(s)
	}
	return append(AppendVarUint(b, uint64(len(s))), s...)
}

// WriteVarInt appends v in lib0's sign-magnitude varInt form (not zigzag).
func (e *Encoder) WriteVarInt(v int64) {
	if v < 0 {
		// uint64(-v) is correct even for MinInt64 thanks to two's complement wrap.
		e.WriteVarIntSigned(true, uint64(-v))
		return
	}
	e.WriteVarIntSigned(false, uint64(v))
}

// WriteVarIntSigned appends a varInt from an explicit sign and magnitude. This is
// the only way to write negative zero (the byte 0x40), which the v2 column codecs
// use as a "count follows" flag.
func (e *Encoder) WriteVarIntSigned(negative bool, magnitude uint64) {
	// First byte: continuation bit, sign bit, and the 6 low bits of the magnitude.
	first := byte(magnitude & 0x3f)
	if negative {
		first |= 0x40
	}
	magnitude >>= 6
	if magnitude > 0 {
		first |= 0x80
	}
	e.buf = append(e.buf, first)
	if magnitude > 0 {
		e.WriteVarUint(magnitude) // the rest is plain LEB128
	}
}

// WriteVarString appends varUint(UTF-8 byte length) followed by the bytes.
// Invalid UTF-8 is replaced byte by byte with U+FFFD, mirroring how a JS
// TextEncoder replaces lone surrogates, so that the output always decodes.
func (e *Encoder) WriteVarString(s string) {
	if !utf8.ValidString(s) {
		s = ToValidUTF8(s)
	}
	e.WriteVarUint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// WriteVarBytes appends a varUint8Array: varUint(length) followed by the bytes.
func (e *Encoder) WriteVarBytes(b []byte) {
	e.WriteVarUint(uint64(len(b)))
	e.buf = append(e.buf, b...)
}

// WriteFloat32 appends f as 4 big-endian IEEE-754 bytes.
func (e *Encoder) WriteFloat32(f float32) {
	e.buf = binary.BigEndian.AppendUint32(e.buf, math.Float32bits(f))
}

// WriteFloat64 appends f as 8 big-endian IEEE-754 bytes. NaN is written in the
// canonical quiet form 7ff8000000000000, the bytes a JS DataView produces.
func (e *Encoder) WriteFloat64(f float64) {
	bits := math.Float64bits(f)
	if f != f {
		bits = canonicalNaNBits
	}
	e.buf = binary.BigEndian.AppendUint64(e.buf, bits)
}

const canonicalNaNBits = 0x7ff8000000000000

// WriteBigInt64 appends v as 8 big-endian two's-complement bytes.
func (e *Encoder) WriteBigInt64(v int64) {
	e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(v))
}
