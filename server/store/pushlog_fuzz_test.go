package store

import (
	"bytes"
	"testing"
)

// FuzzDecodeRef: a push-log value that is not a reference this code wrote is refused, never misread; a
// reference round-trips exactly.
func FuzzDecodeRef(f *testing.F) {
	f.Add(encodeRef("team/notes", 7, false))
	f.Add(encodeRef("a", 0, true))
	f.Add([]byte{refUpdate, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{5, 1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, seq, deleted, ok := decodeRef(b)
		if !ok {
			return
		}
		if again := encodeRef(doc, seq, deleted); !bytes.Equal(again, b) {
			t.Fatalf("decoded %q %d %v from %x, which encodes as %x", doc, seq, deleted, b, again)
		}
	})
}
