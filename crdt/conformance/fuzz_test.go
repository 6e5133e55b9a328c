package conformance

import (
	"bytes"
	"testing"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// FuzzDecodeUpdateStream: the fixture stream decoder returns an error, never panics, and what it
// accepts survives a re-encode and decode unchanged.
func FuzzDecodeUpdateStream(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{2, 1, 0xaa, 0})
	f.Add([]byte{1, 5, 1, 2})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			return
		}
		updates, err := decodeUpdateStream(b)
		if err != nil {
			return
		}
		var e lib0.Encoder
		e.WriteVarUint(uint64(len(updates)))
		for _, u := range updates {
			e.WriteVarBytes(u)
		}
		again, err := decodeUpdateStream(e.Bytes())
		if err != nil {
			t.Fatalf("re-encoded stream %x does not decode: %v", e.Bytes(), err)
		}
		if len(again) != len(updates) {
			t.Fatalf("%d updates became %d", len(updates), len(again))
		}
		for i := range updates {
			if !bytes.Equal(again[i], updates[i]) {
				t.Fatalf("update %d changed from %x to %x", i, updates[i], again[i])
			}
		}
	})
}

// maxFuzzInput bounds the inputs the fuzz targets of this package look at. Coverage counts loop
// iterations, so the fuzzer keeps finding "new" inputs that only repeat more list elements, and
// grows them to kilobytes; Go then minimises each new input by trying O(n²) shorter candidates,
// which at this machine's few thousand execs/s stalled a run for tens of seconds (shown as
// 0 execs/s). A few hundred bytes hold several complete tests or updates; the decoders are
// linear, and the tests read the real (megabyte) fixtures with them.
const maxFuzzInput = 256

// FuzzDecodeYrsDataset: the yrs dataset decoder returns an error, never panics.
func FuzzDecodeYrsDataset(f *testing.F) {
	f.Add([]byte{0})
	// One test: one update (the 2-byte empty update 00 00), text "a", map {}, array [].
	f.Add([]byte{1, 1, 2, 0, 0, 1, 'a', 0x76, 0, 0x75, 0})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			return
		}
		cases, err := decodeYrsDataset(b)
		if err == nil && len(cases) > len(b) {
			t.Fatalf("%d tests decoded from %d bytes", len(cases), len(b))
		}
	})
}
