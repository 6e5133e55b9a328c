package protocol

import (
	"errors"
	"fmt"

	"github.com/meridian-sync/meridian/crdt/lib0"
)

// ErrMalformed is wrapped by every decoding error, so callers can tell bad input from other failures.
var ErrMalformed = errors.New("meridian/protocol: malformed message")

// reader walks a byte slice the way lib0's decoder does: strictly sequentially, failing on
// truncation. The primitives themselves are crdt/lib0's, the engine's own codec, so the server
// frames messages with exactly the rules (8-byte, 2^53 varUints; strict UTF-8) the engine reads.
type reader struct {
	buf []byte
	pos int
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

func (r *reader) remaining() int { return len(r.buf) - r.pos }

func (r *reader) varUint() (uint64, error) {
	v, n, err := lib0.ReadVarUint(r.buf[r.pos:])
	if err != nil {
		return 0, malformed("varUint at byte %d: %w", r.pos, err)
	}
	r.pos += n
	return v, nil
}

// bytes reads a varUint8Array. The result aliases the input buffer.
func (r *reader) bytes() ([]byte, error) {
	b, n, err := lib0.ReadVarBytes(r.buf[r.pos:])
	if err != nil {
		return nil, malformed("byte array at byte %d: %w", r.pos, err)
	}
	r.pos += n
	return b, nil
}

// string reads a varString; like lib0's fatal TextDecoder it rejects invalid UTF-8.
func (r *reader) string() (string, error) {
	s, n, err := lib0.ReadVarString(r.buf[r.pos:])
	if err != nil {
		return "", malformed("string at byte %d: %w", r.pos, err)
	}
	r.pos += n
	return s, nil
}

func (r *reader) end() error {
	if r.remaining() != 0 {
		return malformed("%d unexpected trailing bytes", r.remaining())
	}
	return nil
}

func appendVarUint(b []byte, v uint64) []byte { return lib0.AppendVarUint(b, v) }

func appendBytes(b, data []byte) []byte { return lib0.AppendVarBytes(b, data) }

func appendString(b []byte, s string) []byte { return lib0.AppendVarString(b, s) }
