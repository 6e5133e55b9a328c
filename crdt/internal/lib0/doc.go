// Package lib0 implements the binary and JSON encodings of the JavaScript lib0
// library (version 0.2.x) that every Yjs format is built from, byte for byte.
//
// # Primitives
//
// Encoder appends primitives to a growable buffer; Decoder reads them back in
// the same order. Nothing is self-describing: the reader must know what comes
// next.
//
//	var e lib0.Encoder
//	e.WriteVarUint(3)        // LEB128, least significant group first
//	e.WriteVarString("hé")   // varUint(UTF-8 length) + bytes
//	e.WriteAny(lib0.NewObject()) // tagged "any" value
//	d := lib0.NewDecoder(e.Bytes())
//	n, err := d.ReadVarUint()
//
// Traps this package handles for you: varInt is sign-magnitude with a 6-bit
// first group (not zigzag) and has a negative zero (WriteVarIntSigned /
// ReadVarIntSigned keep it); floats and bigints are big-endian while varints
// are little-endian; strings are UTF-8 on the wire but Yjs lengths count UTF-16
// code units (UTF16Len, UTF16Offset, SplitUTF16).
//
// Decoders treat their input as hostile: every failure is a *DecodeError
// wrapping a sentinel (ErrUnexpectedEOF, ErrOverflow, ErrInvalidUTF8,
// ErrTooDeep, ErrUnknownTag, ErrTooLarge, ErrMalformed) and carrying the byte
// position; declared lengths and counts are checked against the remaining
// input before anything is allocated; nesting is bounded by MaxNestingDepth.
// Variable-length integers are limited to what lib0 can produce: at most 8
// bytes and magnitudes up to 2^53.
//
// # Any values
//
// The engine models JavaScript values with these canonical Go values, produced
// by ReadAny and ParseJSON and required by WriteAny and StringifyJSON:
//
//	JS undefined     lib0.Undefined
//	JS null          nil
//	boolean, string  bool, string
//	number           int64 (integers from tag 125 or integer JSON literals
//	                 within ±2^53) or float64 (everything else, including -0)
//	bigint           lib0.BigInt
//	Uint8Array       []byte
//	Array            []any
//	plain object     lib0.Object (ordered; JS property order; shared like a JS reference)
//
// Application values (Go ints, maps, typed slices...) go through NormalizeAny
// first. WriteAny picks numeric tags exactly as lib0's writeAny: integral
// values within ±(2^31-1) as varInt, values exact in float32 as float32, the
// rest as float64. EqualAny compares canonical values by JS value semantics.
//
// A known divergence: JS drops an object key named "__proto__" when decoding an
// any value (the assignment sets the prototype instead); this package keeps it.
//
// # JSON
//
// StringifyJSON reproduces JSON.stringify exactly (key order, Number#toString
// formatting, JS string escaping), which Yjs v1 uses for embeds, format values,
// legacy ContentJSON and awareness states. ParseJSON is JSON.parse into
// canonical values.
//
// # v2 column codecs
//
// Yjs update format v2 stores fields in columns, each written by one of lib0's
// stateful codecs: RleUint8Encoder/Decoder (plain run-length; the final run
// repeats forever when read), UintOptRleEncoder/Decoder (runs flagged by a
// negative sign, so a run of zeros uses -0), IntDiffOptRleEncoder/Decoder (runs
// of equal differences, flagged by the low bit) and StringEncoder/Decoder (one
// concatenated string plus UTF-16 lengths). Encoders' zero values are ready to
// use and Bytes may be called at any time. Reading past the end of an Opt or
// string column is an error.
package lib0
