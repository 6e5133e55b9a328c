package protocol

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrMalformed is wrapped by every decoding error, so callers can tell bad input from other failures.
var ErrMalformed = errors.New("meridian/protocol: malformed message")

// maxVarUint is the largest value lib0 produces: it encodes through IEEE doubles, so 2^53 is the ceiling.
const maxVarUint = 1 << 53

// reader walks a byte slice the way lib0's decoder does: strictly sequentially, failing on truncation.
type reader struct {
	buf []byte
	pos int
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

func (r *reader) remaining() int { return len(r.buf) - r.pos }

func (r *reader) varUint() (uint64, error) {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if r.pos >= len(r.buf) {
			return 0, malformed("truncated varUint at byte %d", r.pos)
		}
		if shift > 49 {
			return 0, malformed("varUint longer than 8 bytes at byte %d", r.pos)
		}
		b := r.buf[r.pos]
		r.pos++
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			break
		}
	}
	if v > maxVarUint {
		return 0, malformed("varUint %d exceeds 2^53", v)
	}
	return v, nil
}

// bytes reads a varUint8Array. The result aliases the input buffer.
func (r *reader) bytes() ([]byte, error) {
	n, err := r.varUint()
	if err != nil {
		return nil, err
	}
	if n > uint64(r.remaining()) {
		return nil, malformed("length %d exceeds the %d bytes left", n, r.remaining())
	}
	b := r.buf[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, nil
}

// string reads a varString; like lib0's fatal TextDecoder it rejects invalid UTF-8.
func (r *reader) string() (string, error) {
	b, err := r.bytes()
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", malformed("string is not valid UTF-8")
	}
	return string(b), nil
}

func (r *reader) end() error {
	if r.remaining() != 0 {
		return malformed("%d unexpected trailing bytes", r.remaining())
	}
	return nil
}

func appendVarUint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendBytes(b, data []byte) []byte {
	b = appendVarUint(b, uint64(len(data)))
	return append(b, data...)
}

func appendString(b []byte, s string) []byte {
	b = appendVarUint(b, uint64(len(s)))
	return append(b, s...)
}
