package lib0

import (
	"bytes"
	"testing"
)

// FuzzRead: reading returns an error or a value, never panics, never claims more bytes than it
// was given, and what it accepts survives being written and read again.
func FuzzRead(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{0xac, 0x02})
	f.Add([]byte{3, 'h', 0xc3, 0xa9})
	f.Add([]byte{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10})
	f.Add([]byte{1, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Longer inputs add nothing (a value is at most a length prefix and its bytes) but make
		// Go's O(n²) minimisation of each new input stall the run.
		if len(b) > 256 {
			return
		}
		if v, n, err := ReadVarUint(b); err == nil {
			if n > len(b) || v > MaxVarUint {
				t.Fatalf("ReadVarUint(%x) = %d, %d", b, v, n)
			}
			// Padding groups (80 00) are accepted, so the canonical form may be shorter.
			again := AppendVarUint(nil, v)
			if v2, n2, err := ReadVarUint(again); len(again) > n || err != nil || v2 != v || n2 != len(again) {
				t.Fatalf("varUint %d (read from %x) rewritten as %x reads back as %d, %d, %v", v, b[:n], again, v2, n2, err)
			}
		}
		if data, n, err := ReadVarBytes(b); err == nil {
			if n > len(b) || n < len(data)+1 {
				t.Fatalf("ReadVarBytes(%x) = %x, %d", b, data, n)
			}
			if d2, _, err := ReadVarBytes(AppendVarBytes(nil, data)); err != nil || !bytes.Equal(d2, data) {
				t.Fatalf("bytes %x do not survive a round trip: %x, %v", data, d2, err)
			}
		}
		if s, n, err := ReadVarString(b); err == nil {
			if n > len(b) {
				t.Fatalf("ReadVarString(%x) took %d bytes", b, n)
			}
			if s2, _, err := ReadVarString(AppendVarString(nil, s)); err != nil || s2 != s {
				t.Fatalf("string %q does not survive a round trip: %q, %v", s, s2, err)
			}
		}
	})
}
