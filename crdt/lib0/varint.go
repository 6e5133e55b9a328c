package lib0

import ilib0 "github.com/meridian-sync/meridian/crdt/internal/lib0"

// The errors reading returns, wrapped with the offset where the value starts.
var (
	// ErrUnexpectedEOF: the input ended in the middle of a value.
	ErrUnexpectedEOF = ilib0.ErrUnexpectedEOF
	// ErrOverflow: a varUint longer than 8 bytes or above 2^53.
	ErrOverflow = ilib0.ErrOverflow
	// ErrTooLarge: a length prefix exceeds the bytes that follow it.
	ErrTooLarge = ilib0.ErrTooLarge
	// ErrInvalidUTF8: a varString's bytes are not valid UTF-8.
	ErrInvalidUTF8 = ilib0.ErrInvalidUTF8
)

// MaxVarUint is the largest value ReadVarUint accepts, 2^53. Values written with
// AppendVarUint must not exceed it, or lib0 readers (this one included) refuse them.
const MaxVarUint = 1 << 53

// AppendVarUint appends v as a lib0 varUint (unsigned LEB128, least significant group first).
func AppendVarUint(b []byte, v uint64) []byte { return ilib0.AppendVarUint(b, v) }

// AppendVarBytes appends a varUint8Array: varUint(len(data)), then data.
func AppendVarBytes(b, data []byte) []byte { return ilib0.AppendVarBytes(b, data) }

// AppendVarString appends a varString: varUint(UTF-8 length), then the bytes. Invalid UTF-8
// becomes U+FFFD first.
func AppendVarString(b []byte, s string) []byte { return ilib0.AppendVarString(b, s) }

// ReadVarUint decodes the varUint at the start of b and returns it with the bytes it took.
func ReadVarUint(b []byte) (v uint64, n int, err error) {
	d := ilib0.NewDecoder(b)
	v, err = d.ReadVarUint()
	if err != nil {
		return 0, 0, err
	}
	return v, d.Pos(), nil
}

// ReadVarBytes decodes the varUint8Array at the start of b. data aliases b (no copy); n counts
// the length prefix too.
func ReadVarBytes(b []byte) (data []byte, n int, err error) {
	d := ilib0.NewDecoder(b)
	data, err = d.ReadVarBytes()
	if err != nil {
		return nil, 0, err
	}
	return data, d.Pos(), nil
}

// ReadVarString decodes the varString at the start of b (a copy: it does not pin b).
func ReadVarString(b []byte) (s string, n int, err error) {
	d := ilib0.NewDecoder(b)
	s, err = d.ReadVarString()
	if err != nil {
		return "", 0, err
	}
	return s, d.Pos(), nil
}
