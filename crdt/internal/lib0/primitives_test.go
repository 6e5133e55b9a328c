package lib0

import (
	"errors"
	"math"
	"testing"
)

func TestVarStringSpecExamples(t *testing.T) {
	cases := []struct{ s, hex string }{
		{"", "00"}, {"hé", "03 68 c3 a9"}, {"😀", "04 f0 9f 98 80"}, {"\ufeffx", "04 ef bb bf 78"},
	}
	for _, c := range cases {
		var e Encoder
		e.WriteVarString(c.s)
		want := unhex(t, c.hex)
		if hexOf(e.Bytes()) != hexOf(want) {
			t.Errorf("WriteVarString(%q) = %x, want %x", c.s, e.Bytes(), want)
		}
		got, err := NewDecoder(want).ReadVarString()
		if err != nil || got != c.s {
			t.Errorf("ReadVarString(%x) = %q, %v", want, got, err)
		}
	}
}

func TestWriteVarStringReplacesInvalidUTF8(t *testing.T) {
	// JS replaces a lone surrogate with U+FFFD; a Go string's equivalent is an invalid byte.
	var e Encoder
	e.WriteVarString("\xedx")
	if want := "04efbfbd78"; hexOf(e.Bytes()) != want {
		t.Fatalf("got %x, want %s", e.Bytes(), want)
	}
}

func TestReadVarStringRejectsInvalidUTF8(t *testing.T) {
	for _, h := range []string{"01 ff", "02 c3 28", "03 ed a0 80", "02 c0 80"} {
		_, err := NewDecoder(unhex(t, h)).ReadVarString()
		if !errors.Is(err, ErrInvalidUTF8) {
			t.Errorf("%s: err = %v, want ErrInvalidUTF8", h, err)
		}
	}
}

func TestLengthPrefixBeyondInputIsRejectedWithoutAllocating(t *testing.T) {
	var e Encoder
	e.WriteVarUint(1 << 50)
	e.WriteRaw([]byte("abc"))
	allocs := testing.AllocsPerRun(10, func() {
		_, err := NewDecoder(e.Bytes()).ReadVarBytes()
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v", err)
		}
	})
	if allocs > 3 {
		t.Errorf("rejecting a 2^50 length allocated %v times", allocs)
	}
}

func TestVarBytesAndRaw(t *testing.T) {
	var e Encoder
	e.WriteVarBytes([]byte{1, 2, 3})
	e.WriteUint8(9)
	if got := hexOf(e.Bytes()); got != "0301020309" {
		t.Fatalf("got %s", got)
	}
	d := NewDecoder(e.Bytes())
	b, err := d.ReadVarBytes()
	if err != nil || hexOf(b) != "010203" {
		t.Fatalf("ReadVarBytes = %x, %v", b, err)
	}
	if _, err := d.ReadRaw(2); !errors.Is(err, ErrUnexpectedEOF) {
		t.Fatalf("ReadRaw past end: %v", err)
	}
	if x, err := d.ReadUint8(); err != nil || x != 9 || d.Remaining() != 0 || d.Pos() != 5 {
		t.Fatalf("ReadUint8 = %d, %v", x, err)
	}
	if _, err := d.ReadUint8(); !errors.Is(err, ErrUnexpectedEOF) {
		t.Fatalf("ReadUint8 at end: %v", err)
	}
}

func TestFixedWidthNumbersAreBigEndian(t *testing.T) {
	var e Encoder
	e.WriteFloat32(1.5)
	e.WriteFloat64(0.1)
	e.WriteBigInt64(-2)
	e.WriteFloat64(math.NaN())
	want := "3fc00000" + "3fb999999999999a" + "fffffffffffffffe" + "7ff8000000000000"
	if got := hexOf(e.Bytes()); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	d := NewDecoder(e.Bytes())
	f32, _ := d.ReadFloat32()
	f64, _ := d.ReadFloat64()
	bi, _ := d.ReadBigInt64()
	nan, err := d.ReadFloat64()
	if f32 != 1.5 || f64 != 0.1 || bi != -2 || !math.IsNaN(nan) || err != nil {
		t.Fatalf("read back %v %v %v %v %v", f32, f64, bi, nan, err)
	}
	if _, err := d.ReadFloat32(); !errors.Is(err, ErrUnexpectedEOF) {
		t.Fatalf("ReadFloat32 at end: %v", err)
	}
}

func TestEncoderResetKeepsWorking(t *testing.T) {
	var e Encoder
	e.WriteVarUint(300)
	e.Reset()
	e.WriteUint8(7)
	if e.Len() != 1 || e.Bytes()[0] != 7 {
		t.Fatalf("after Reset: %x", e.Bytes())
	}
}
