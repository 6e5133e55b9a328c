package lib0

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// Decoder reads lib0 primitives sequentially from a byte slice. Every method
// returns an error (a *DecodeError wrapping a sentinel) instead of panicking on
// truncated or malformed input. After an error the position is unspecified.
type Decoder struct {
	buf []byte
	pos int
}

// NewDecoder returns a decoder reading b from its start. b is not copied.
func NewDecoder(b []byte) *Decoder { return &Decoder{buf: b} }

// Pos is the offset of the next unread byte.
func (d *Decoder) Pos() int { return d.pos }

// Remaining is the number of unread bytes.
func (d *Decoder) Remaining() int { return len(d.buf) - d.pos }

// ReadUint8 reads one byte.
func (d *Decoder) ReadUint8() (byte, error) {
	if d.pos >= len(d.buf) {
		return 0, errAt(ErrUnexpectedEOF, d.pos)
	}
	b := d.buf[d.pos]
	d.pos++
	return b, nil
}

// ReadRaw returns the next n bytes as a subslice of the input (no copy).
func (d *Decoder) ReadRaw(n int) ([]byte, error) {
	if n < 0 || n > d.Remaining() {
		return nil, errAt(ErrUnexpectedEOF, d.pos)
	}
	b := d.buf[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b, nil
}

// readLength reads a varUint that announces n following bytes and checks it
// against the remaining input before anyone allocates for it.
func (d *Decoder) readLength() (int, error) {
	start := d.pos
	n, err := d.ReadVarUint()
	if err != nil {
		return 0, err
	}
	if n > uint64(d.Remaining()) {
		return 0, errAt(ErrTooLarge, start)
	}
	return int(n), nil
}

// ReadVarBytes reads a varUint8Array and returns a subslice of the input (no copy).
func (d *Decoder) ReadVarBytes() ([]byte, error) {
	n, err := d.readLength()
	if err != nil {
		return nil, err
	}
	return d.ReadRaw(n)
}

// ReadVarString reads a varString. Invalid UTF-8 is rejected, as lib0's fatal
// TextDecoder does; a leading U+FEFF is kept.
func (d *Decoder) ReadVarString() (string, error) {
	b, err := d.readVarStringBytes()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// readVarStringBytes reads a varString's bytes (not copied) and checks that they are UTF-8.
func (d *Decoder) readVarStringBytes() ([]byte, error) {
	start := d.pos
	b, err := d.ReadVarBytes()
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(b) {
		return nil, errAt(ErrInvalidUTF8, start)
	}
	return b, nil
}

// ReadFloat32 reads 4 big-endian bytes.
func (d *Decoder) ReadFloat32() (float32, error) {
	b, err := d.ReadRaw(4)
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(binary.BigEndian.Uint32(b)), nil
}

// ReadFloat64 reads 8 big-endian bytes.
func (d *Decoder) ReadFloat64() (float64, error) {
	b, err := d.ReadRaw(8)
	if err != nil {
		return 0, err
	}
	return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
}

// ReadBigInt64 reads 8 big-endian two's-complement bytes.
func (d *Decoder) ReadBigInt64() (int64, error) {
	b, err := d.ReadRaw(8)
	if err != nil {
		return 0, err
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}
