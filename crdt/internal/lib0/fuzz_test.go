package lib0

import (
	"bytes"
	"testing"
)

// maxFuzzInput bounds the inputs the fuzz targets of this package look at. Coverage counts loop
// iterations, so the fuzzer keeps finding "new" inputs that only repeat more elements, and grows
// them; Go then minimises each new input by trying O(n²) shorter candidates, which stalled runs
// for seconds at a time (shown as 0 execs/s). Every branch of these decoders is reachable in a
// few hundred bytes, and their unit tests run them on full-size fixtures.
const maxFuzzInput = 256

// FuzzReadAny: decoding never panics, and whatever decodes re-encodes to bytes
// that decode to an equal value and re-encode identically (a fixed point).
func FuzzReadAny(f *testing.F) {
	for _, c := range anyVectors {
		f.Add(unhex(f, c.hex))
	}
	f.Add([]byte{0x75, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > maxFuzzInput {
			return
		}
		v, err := NewDecoder(in).ReadAny()
		if err != nil {
			return
		}
		var e1 Encoder
		e1.WriteAny(v)
		v2, err := NewDecoder(e1.Bytes()).ReadAny()
		if err != nil {
			t.Fatalf("re-encoded value does not decode: %v", err)
		}
		if !EqualAny(v, v2) {
			t.Fatalf("value changed: %#v vs %#v", v, v2)
		}
		var e2 Encoder
		e2.WriteAny(v2)
		if !bytes.Equal(e1.Bytes(), e2.Bytes()) {
			t.Fatalf("encoding not stable: %x vs %x", e1.Bytes(), e2.Bytes())
		}
	})
}

// FuzzParseJSON: parse never panics; stringify of a parsed value parses back to
// an equal value and stringifies identically.
func FuzzParseJSON(f *testing.F) {
	for _, c := range stringifyVectors {
		f.Add(c.want)
	}
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\ud83d\ude00"`, "1e400", "-0", `{"1":1,"0":0}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > maxFuzzInput {
			return
		}
		v, err := ParseJSON(in)
		if err != nil {
			return
		}
		s1, err := StringifyJSON(v)
		if err != nil {
			t.Fatalf("parsed value does not stringify: %v", err)
		}
		v2, err := ParseJSON(s1)
		if err != nil {
			t.Fatalf("stringified %q does not parse: %v", s1, err)
		}
		s2, err := StringifyJSON(v2)
		if err != nil || s1 != s2 {
			t.Fatalf("not stable: %q vs %q (%v)", s1, s2, err)
		}
		if !containsNonFinite(v) && !EqualAny(v, v2) {
			t.Fatalf("value changed: %#v vs %#v", v, v2)
		}
	})
}

// containsNonFinite: ±Infinity (from 1e400) legitimately turns into null.
func containsNonFinite(v any) bool {
	switch v := v.(type) {
	case float64:
		return !isFinite(v)
	case []any:
		for _, x := range v {
			if containsNonFinite(x) {
				return true
			}
		}
	case Object:
		found := false
		v.Range(func(_ string, x any) bool { found = containsNonFinite(x); return !found })
		return found
	}
	return false
}

// FuzzColumns: every column decoder survives arbitrary bytes for many reads.
func FuzzColumns(f *testing.F) {
	f.Add([]byte{0x01, 0x02, 0x07})
	f.Add([]byte{0x43, 0x01, 0x40, 0x00})
	f.Add([]byte{0x06, 0x74, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x01, 0x05})
	f.Add([]byte{0x08, 0x61, 0xf0, 0x9f, 0x98, 0x80, 0x62, 0xc3, 0xa9, 0x04, 0x01, 0x00})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > maxFuzzInput {
			return
		}
		const reads = 64
		rd, ud, id := NewRleUint8Decoder(in), NewUintOptRleDecoder(in), NewIntDiffOptRleDecoder(in)
		for i := 0; i < reads; i++ {
			_, _ = rd.Read()
			_, _ = ud.Read()
			_, _ = id.Read()
		}
		if sd, err := NewStringDecoder(in); err == nil {
			for i := 0; i < reads; i++ {
				s, err := sd.Read()
				if err != nil {
					break
				}
				var e Encoder
				e.WriteVarString(s) // decoded strings must always be valid UTF-8
				if _, err := NewDecoder(e.Bytes()).ReadVarString(); err != nil {
					t.Fatalf("decoded string %q is not valid UTF-8", s)
				}
			}
		}
	})
}
