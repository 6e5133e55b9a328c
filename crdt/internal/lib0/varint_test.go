package lib0

import (
	"errors"
	"math"
	"testing"
)

func TestVarUintSpecTable(t *testing.T) {
	cases := []struct {
		v   uint64
		hex string
	}{
		{0, "00"}, {127, "7f"}, {128, "80 01"}, {300, "ac 02"}, {16384, "80 80 01"},
		{1<<31 - 1, "ff ff ff ff 07"}, {3000000000, "80 bc c1 96 0b"},
		{1 << 32, "80 80 80 80 10"}, {1<<53 - 1, "ff ff ff ff ff ff ff 0f"},
	}
	for _, c := range cases {
		var e Encoder
		e.WriteVarUint(c.v)
		want := unhex(t, c.hex)
		if hexOf(e.Bytes()) != hexOf(want) {
			t.Errorf("WriteVarUint(%d) = %x, want %x", c.v, e.Bytes(), want)
		}
		d := NewDecoder(want)
		got, err := d.ReadVarUint()
		if err != nil || got != c.v || d.Remaining() != 0 {
			t.Errorf("ReadVarUint(%x) = %d, %v (remaining %d), want %d", want, got, err, d.Remaining(), c.v)
		}
	}
}

func TestVarIntSpecTable(t *testing.T) {
	cases := []struct {
		neg bool
		mag uint64
		hex string
	}{
		{false, 0, "00"}, {true, 0, "40"}, {false, 1, "01"}, {true, 1, "41"},
		{false, 63, "3f"}, {true, 63, "7f"}, {false, 64, "80 01"}, {true, 64, "c0 01"},
		{false, 100, "a4 01"}, {true, 100, "e4 01"}, {false, 8192, "80 80 01"},
		{true, 1 << 31, "c0 80 80 80 10"},
	}
	for _, c := range cases {
		var e Encoder
		e.WriteVarIntSigned(c.neg, c.mag)
		want := unhex(t, c.hex)
		if hexOf(e.Bytes()) != hexOf(want) {
			t.Errorf("WriteVarIntSigned(%v,%d) = %x, want %x", c.neg, c.mag, e.Bytes(), want)
		}
		neg, mag, err := NewDecoder(want).ReadVarIntSigned()
		if err != nil || neg != c.neg || mag != c.mag {
			t.Errorf("ReadVarIntSigned(%x) = %v,%d,%v", want, neg, mag, err)
		}
		if c.mag == 0 {
			continue // -0 has no int64 form
		}
		v := int64(c.mag)
		if c.neg {
			v = -v
		}
		var e2 Encoder
		e2.WriteVarInt(v)
		if hexOf(e2.Bytes()) != hexOf(want) {
			t.Errorf("WriteVarInt(%d) = %x, want %x", v, e2.Bytes(), want)
		}
		got, err := NewDecoder(want).ReadVarInt()
		if err != nil || got != v {
			t.Errorf("ReadVarInt(%x) = %d, %v, want %d", want, got, err, v)
		}
	}
}

func TestVarIntNegativeZeroReadsAsZero(t *testing.T) {
	v, err := NewDecoder([]byte{0x40}).ReadVarInt()
	if err != nil || v != 0 {
		t.Fatalf("ReadVarInt(40) = %d, %v", v, err)
	}
}

func TestVarIntRoundTripExtremes(t *testing.T) {
	for _, v := range []int64{1<<53 - 1, -(1<<53 - 1), 1 << 53, -(1 << 53), math.MaxInt32, math.MinInt32} {
		var e Encoder
		e.WriteVarInt(v)
		got, err := NewDecoder(e.Bytes()).ReadVarInt()
		if err != nil || got != v {
			t.Errorf("round trip %d: got %d, %v", v, got, err)
		}
	}
}

func TestVarIntegersRejectBadInput(t *testing.T) {
	cases := []struct {
		name   string
		hex    string
		signed bool
		want   error
	}{
		{"empty uint", "", false, ErrUnexpectedEOF},
		{"truncated uint", "80 80", false, ErrUnexpectedEOF},
		{"uint 2^53 accepted boundary +1", "81 80 80 80 80 80 80 10", false, ErrOverflow},
		{"uint nine bytes", "80 80 80 80 80 80 80 80 00", false, ErrOverflow},
		{"uint 2^56-1", "ff ff ff ff ff ff ff 7f", false, ErrOverflow},
		{"empty int", "", true, ErrUnexpectedEOF},
		{"truncated int", "c0 80", true, ErrUnexpectedEOF},
		{"int nine bytes", "80 80 80 80 80 80 80 80 00", true, ErrOverflow},
		{"int above 2^53", "c1 80 80 80 80 80 80 20", true, ErrOverflow},
	}
	for _, c := range cases {
		d := NewDecoder(unhex(t, c.hex))
		var err error
		if c.signed {
			_, _, err = d.ReadVarIntSigned()
		} else {
			_, err = d.ReadVarUint()
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: error %v is not a *DecodeError", c.name, err)
		}
	}
}

func TestVarUintAcceptsTwoToThe53(t *testing.T) {
	got, err := NewDecoder(unhex(t, "80 80 80 80 80 80 80 10")).ReadVarUint()
	if err != nil || got != 1<<53 {
		t.Fatalf("got %d, %v", got, err)
	}
}
