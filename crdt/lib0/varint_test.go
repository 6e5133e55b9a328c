package lib0

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// The byte forms below are lib0's (encoding.writeVarUint / writeVarString in lib0 0.2).
func TestAppendVarUintBytes(t *testing.T) {
	for _, c := range []struct {
		v    uint64
		want []byte
	}{
		{0, []byte{0x00}},
		{1, []byte{0x01}},
		{127, []byte{0x7f}},
		{128, []byte{0x80, 0x01}},
		{300, []byte{0xac, 0x02}},
		{MaxVarUint, []byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10}},
	} {
		got := AppendVarUint([]byte{0xee}, c.v)
		if !bytes.Equal(got, append([]byte{0xee}, c.want...)) {
			t.Errorf("AppendVarUint(%d) = %x, want ee%x", c.v, got, c.want)
		}
		v, n, err := ReadVarUint(append(c.want, 0xff))
		if err != nil || v != c.v || n != len(c.want) {
			t.Errorf("ReadVarUint(%x) = %d, %d, %v; want %d, %d", c.want, v, n, err, c.v, len(c.want))
		}
	}
}

func TestVarStringAndBytesRoundTrip(t *testing.T) {
	b := AppendVarString(nil, "hé")
	if want := []byte{3, 'h', 0xc3, 0xa9}; !bytes.Equal(b, want) {
		t.Fatalf("AppendVarString = %x, want %x", b, want)
	}
	b = AppendVarBytes(b, []byte{1, 2, 3})
	s, n, err := ReadVarString(b)
	if err != nil || s != "hé" || n != 4 {
		t.Fatalf("ReadVarString = %q, %d, %v", s, n, err)
	}
	data, m, err := ReadVarBytes(b[n:])
	if err != nil || !bytes.Equal(data, []byte{1, 2, 3}) || m != 4 {
		t.Fatalf("ReadVarBytes = %x, %d, %v", data, m, err)
	}
	if &data[0] != &b[n+1] {
		t.Error("ReadVarBytes copied; it is documented to alias its input")
	}
}

func TestAppendVarStringReplacesInvalidUTF8(t *testing.T) {
	b := AppendVarString(nil, "a\xffb")
	s, _, err := ReadVarString(b)
	if err != nil || s != "a\uFFFDb" {
		t.Fatalf("read back %q, %v; want a\\uFFFDb", s, err)
	}
}

func TestReadErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []byte
		want error
		read func([]byte) error
	}{
		{"empty varUint", nil, ErrUnexpectedEOF, readUint},
		{"truncated varUint", []byte{0x80}, ErrUnexpectedEOF, readUint},
		{"9-byte varUint", bytes.Repeat([]byte{0x80}, 9), ErrOverflow, readUint},
		{"varUint above 2^53", []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, ErrOverflow, readUint},
		{"length past the end", []byte{5, 'a'}, ErrTooLarge, readBytes},
		{"huge length", AppendVarUint(nil, math.MaxUint32), ErrTooLarge, readBytes},
		{"invalid UTF-8", []byte{1, 0xff}, ErrInvalidUTF8, readString},
		{"truncated string", []byte{2, 'a'}, ErrTooLarge, readString},
	} {
		if err := c.read(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func readUint(b []byte) error   { _, _, err := ReadVarUint(b); return err }
func readBytes(b []byte) error  { _, _, err := ReadVarBytes(b); return err }
func readString(b []byte) error { _, _, err := ReadVarString(b); return err }
