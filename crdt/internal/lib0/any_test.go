package lib0

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func obj(kv ...any) Object {
	o := NewObject()
	for i := 0; i < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

// anyVectors: the §1.6 table plus extra vectors printed by lib0 0.2.120 writeAny.
var anyVectors = []struct {
	name string
	v    any
	hex  string
}{
	{"undefined", Undefined, "7f"},
	{"null", nil, "7e"},
	{"42", int64(42), "7d 2a"},
	{"-42", int64(-42), "7d 6a"},
	{"2147483647", int64(2147483647), "7d bf ff ff ff 0f"},
	{"2147483648 float32", float64(2147483648), "7c 4f 00 00 00"},
	{"1.5", 1.5, "7c 3f c0 00 00"},
	{"0.1", 0.1, "7b 3f b9 99 99 99 99 99 9a"},
	{"12345678901234", float64(12345678901234), "7b 42 a6 74 e7 9c 5f e4 00"},
	{"Infinity", math.Inf(1), "7c 7f 80 00 00"},
	{"3n", BigInt(3), "7a 00 00 00 00 00 00 00 03"},
	{"false", false, "79"},
	{"true", true, "78"},
	{"hi", "hi", "77 02 68 69"},
	{"object", obj("a", int64(1), "b", []any{true, nil}), "76 02 01 61 7d 01 01 62 75 02 78 7e"},
	{"array", []any{int64(1), "x"}, "75 02 7d 01 77 01 78"},
	{"bytes", []byte{0xde, 0xad}, "74 02 de ad"},
	{"empty object", NewObject(), "76 00"},
	// Extra vectors from node.
	{"-0", math.Copysign(0, -1), "7d 40"},
	{"-1.5", -1.5, "7c bf c0 00 00"},
	{"-2147483647", int64(-2147483647), "7d ff ff ff ff 0f"},
	{"-2147483648", float64(-2147483648), "7c cf 00 00 00"},
	{"2^53", float64(1 << 53), "7c 5a 00 00 00"},
	{"1e300", 1e300, "7b 7e 37 e4 3c 88 00 75 9c"},
	{"-Infinity", math.Inf(-1), "7c ff 80 00 00"},
	{"2^31+0.5", 2147483648.5, "7b 41 e0 00 00 00 10 00 00"},
	{"[]", []any{}, "75 00"},
	{"index keys first", obj("1", int64(1), "0", int64(2), "b", int64(3), "a", int64(4)), "76 04 01 30 7d 02 01 31 7d 01 01 62 7d 03 01 61 7d 04"},
	{"-3n", BigInt(-3), "7a ff ff ff ff ff ff ff fd"},
	{"2^63-1 n", BigInt(math.MaxInt64), "7a 7f ff ff ff ff ff ff ff"},
	{"emoji string", "😀é", "77 06 f0 9f 98 80 c3 a9"},
	{"empty bytes", []byte{}, "74 00"},
	{"nested", []any{Undefined, nil, []any{NewObject()}}, "75 03 7f 7e 75 01 76 00"},
	{"16777217", float64(16777217), "7d 81 80 80 10"},
	{"max float32", 3.4028234663852886e38, "7c 7f 7f ff ff"},
}

func TestWriteAnyMatchesLib0(t *testing.T) {
	for _, c := range anyVectors {
		var e Encoder
		e.WriteAny(c.v)
		if want := hexOf(unhex(t, c.hex)); hexOf(e.Bytes()) != want {
			t.Errorf("%s: WriteAny = %x, want %s", c.name, e.Bytes(), want)
		}
	}
}

func TestReadAnyMatchesLib0(t *testing.T) {
	for _, c := range anyVectors {
		d := NewDecoder(unhex(t, c.hex))
		got, err := d.ReadAny()
		if err != nil || d.Remaining() != 0 {
			t.Errorf("%s: ReadAny err %v, remaining %d", c.name, err, d.Remaining())
			continue
		}
		if !EqualAny(got, c.v) {
			t.Errorf("%s: ReadAny = %#v, want %#v", c.name, got, c.v)
		}
		// Writing the decoded value must reproduce the bytes (key order kept).
		var e Encoder
		e.WriteAny(got)
		if hexOf(e.Bytes()) != hexOf(unhex(t, c.hex)) {
			t.Errorf("%s: re-encoded %x", c.name, e.Bytes())
		}
	}
}

func TestReadAnyCanonicalTypes(t *testing.T) {
	cases := []struct {
		hex   string
		check func(any) bool
	}{
		{"7d 2a", func(v any) bool { x, ok := v.(int64); return ok && x == 42 }},
		{"7d 40", func(v any) bool { x, ok := v.(float64); return ok && x == 0 && math.Signbit(x) }},
		// tag 125 accepts magnitudes beyond int32 (up to 2^53) as int64.
		{"7d 80 80 80 80 80 80 80 08", func(v any) bool { x, ok := v.(int64); return ok && x == 1<<51 }},
		{"7c 3f c0 00 00", func(v any) bool { x, ok := v.(float64); return ok && x == 1.5 }},
		{"7a 00 00 00 00 00 00 00 03", func(v any) bool { x, ok := v.(BigInt); return ok && x == 3 }},
		{"76 00", func(v any) bool { x, ok := v.(Object); return ok && x.Len() == 0 }},
		{"74 01 05", func(v any) bool { x, ok := v.([]byte); return ok && len(x) == 1 && x[0] == 5 }},
		{"7f", IsUndefined},
	}
	for _, c := range cases {
		v, err := NewDecoder(unhex(t, c.hex)).ReadAny()
		if err != nil || !c.check(v) {
			t.Errorf("%s: got %#v (%T), %v", c.hex, v, v, err)
		}
	}
}

func TestReadAnyDuplicateKeyLastWins(t *testing.T) {
	v, err := NewDecoder(unhex(t, "76 02 01 61 7d 01 01 61 7d 02")).ReadAny()
	if err != nil {
		t.Fatal(err)
	}
	o := v.(Object)
	if got, _ := o.Get("a"); o.Len() != 1 || got != int64(2) {
		t.Fatalf("got %v", o.Keys())
	}
}

func TestReadAnyBytesDoNotAliasInput(t *testing.T) {
	in := unhex(t, "74 01 05")
	v, _ := NewDecoder(in).ReadAny()
	in[2] = 9
	if v.([]byte)[0] != 5 {
		t.Fatal("decoded []byte aliases the input")
	}
}

func TestReadAnyErrors(t *testing.T) {
	deep := strings.Repeat("75 01 ", MaxNestingDepth+1) + "7e"
	okDeep := strings.Repeat("75 01 ", MaxNestingDepth) + "7e"
	if _, err := NewDecoder(unhex(t, okDeep)).ReadAny(); err != nil {
		t.Fatalf("depth %d should be accepted: %v", MaxNestingDepth, err)
	}
	cases := []struct {
		name, hex string
		want      error
	}{
		{"empty", "", ErrUnexpectedEOF},
		{"unknown tag", "73", ErrUnknownTag},
		{"tag zero", "00", ErrUnknownTag},
		{"tag 128", "80", ErrUnknownTag},
		{"truncated float64", "7b 3f b9", ErrUnexpectedEOF},
		{"truncated string", "77 05 61", ErrTooLarge},
		{"invalid utf8", "77 01 ff", ErrInvalidUTF8},
		{"huge array count", "75 80 80 80 80 80 80 80 01", ErrTooLarge},
		{"huge object count", "76 ff ff ff ff 0f 01 61 7e", ErrTooLarge},
		{"array count beyond input", "75 02 7e", ErrTooLarge},
		{"array element truncated", "75 02 7e 75", ErrUnexpectedEOF},
		{"object key invalid", "76 01 01 ff 7e", ErrInvalidUTF8},
		{"too deep", deep, ErrTooDeep},
		{"too deep objects", strings.Repeat("76 01 01 61 ", MaxNestingDepth+1) + "7e", ErrTooDeep},
	}
	for _, c := range cases {
		_, err := NewDecoder(unhex(t, c.hex)).ReadAny()
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestWriteAnyPanicsOnNonCanonical(t *testing.T) {
	for _, v := range []any{1, int32(5), float32(1), map[string]any{}, struct{}{}} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("WriteAny(%T) did not panic", v)
				}
			}()
			var e Encoder
			e.WriteAny(v)
		}()
	}
}

func TestWriteAnyAcceptsObjectPointer(t *testing.T) {
	o := obj("a", int64(1))
	var e1, e2 Encoder
	e1.WriteAny(o)
	e2.WriteAny(&o)
	if hexOf(e1.Bytes()) != hexOf(e2.Bytes()) {
		t.Fatalf("%x != %x", e1.Bytes(), e2.Bytes())
	}
}

func TestWriteAnyInt64Rules(t *testing.T) {
	cases := []struct {
		v   int64
		hex string
	}{
		{math.MaxInt32 + 1, "7c 4f 00 00 00"},
		{1 << 53, "7c 5a 00 00 00"},
		{12345678901234, "7b 42 a6 74 e7 9c 5f e4 00"},
		{-2147483647, "7d ff ff ff ff 0f"},
	}
	for _, c := range cases {
		var e Encoder
		e.WriteAny(c.v)
		if hexOf(e.Bytes()) != hexOf(unhex(t, c.hex)) {
			t.Errorf("WriteAny(int64 %d) = %x, want %s", c.v, e.Bytes(), c.hex)
		}
	}
}
