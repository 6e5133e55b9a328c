package lib0

import (
	"errors"
	"fmt"
)

// Sentinel errors returned (wrapped in a *DecodeError) by the decoders of this
// package. Test for them with errors.Is.
var (
	// ErrUnexpectedEOF: the input ended in the middle of a value.
	ErrUnexpectedEOF = errors.New("meridian/lib0: unexpected end of input")
	// ErrOverflow: a number does not fit the range lib0 can produce
	// (magnitudes above 2^53, variable-length integers longer than 8 bytes,
	// or a value too large for the Go type it is read into).
	ErrOverflow = errors.New("meridian/lib0: integer overflow")
	// ErrInvalidUTF8: a string is not valid UTF-8 (lib0 decodes with a fatal TextDecoder).
	ErrInvalidUTF8 = errors.New("meridian/lib0: invalid UTF-8")
	// ErrTooDeep: nested arrays/objects exceed MaxNestingDepth.
	ErrTooDeep = errors.New("meridian/lib0: nesting too deep")
	// ErrUnknownTag: an Any value starts with a tag byte outside 116..127.
	ErrUnknownTag = errors.New("meridian/lib0: unknown any tag")
	// ErrTooLarge: a declared count or length exceeds what the remaining input could hold.
	ErrTooLarge = errors.New("meridian/lib0: declared length exceeds input")
	// ErrMalformed: the bytes are structurally wrong for the codec being read
	// (for example a column that is exhausted or a string split outside its bounds).
	ErrMalformed = errors.New("meridian/lib0: malformed input")
	// ErrInvalidJSON: ParseJSON met text that JSON.parse would reject.
	ErrInvalidJSON = errors.New("meridian/lib0: invalid JSON")
	// ErrNotJSON: StringifyJSON met a value JSON.stringify cannot express (BigInt, or undefined at the top level).
	ErrNotJSON = errors.New("meridian/lib0: value cannot be stringified as JSON")
	// ErrNotCanonical: NormalizeAny met a Go value that has no Any representation.
	ErrNotCanonical = errors.New("meridian/lib0: value has no Any representation")
)

// MaxNestingDepth bounds the nesting of arrays and objects accepted by ReadAny
// and ParseJSON. Untrusted input must not be able to exhaust the goroutine stack.
const MaxNestingDepth = 128

// MaxSafeInteger is JavaScript's Number.MAX_SAFE_INTEGER (2^53 - 1). lib0 encoders
// never produce larger magnitudes; decoders accept up to 2^53.
const MaxSafeInteger = 1<<53 - 1

// maxDecodable is the largest magnitude the variable-length decoders accept.
const maxDecodable = 1 << 53

// DecodeError locates a decoding failure. Err is one of the sentinels above,
// Pos the byte offset (within the decoder's input) where the failing value starts
// or where the input ran out.
type DecodeError struct {
	Err error
	Pos int
}

func (e *DecodeError) Error() string { return fmt.Sprintf("%v at byte %d", e.Err, e.Pos) }

// Unwrap lets errors.Is see the sentinel.
func (e *DecodeError) Unwrap() error { return e.Err }

func errAt(err error, pos int) error { return &DecodeError{Err: err, Pos: pos} }
