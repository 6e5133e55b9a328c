package crdt

import (
	"bytes"
	"testing"
)

// maxFuzzInput bounds the inputs the fuzz targets of this package look at. Coverage counts loop
// iterations, so the fuzzer keeps finding "new" inputs that only repeat more list elements, and
// grows them to kilobytes; Go then minimises each new input by trying O(n²) shorter candidates,
// which at this machine's few thousand execs/s stalled a run for tens of seconds (shown as
// 0 execs/s). A few hundred bytes hold many structs, clients and delete ranges; the decoders are
// linear, which their unit tests on the real traces check at full size.
const maxFuzzInput = 256

// FuzzApplyUpdate feeds arbitrary bytes as v1 and v2 updates to a document holding content:
// it must never panic, and a rejected update must leave the encoded state unchanged.
func FuzzApplyUpdate(f *testing.F) {
	seeds := []string{
		"01 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00",
		"00 01 01 01 01 03",
		"01 03 01 00 04 01 01 74 01 68 81 01 00 03 84 01 03 02 6f 21 01 01 01 01 03",
		"01 03 09 00 01 01 01 61 01 00 02 88 09 00 01 77 04 6b 65 65 70 01 09 01 00 03",
		"00 00 01 01 00 00 01 04 09 06 74 68 65 6c 6c 6f 01 05 01 01 00 00 01 01 00 00",
		"01 01 01 04 84 01 03 02 65 66 00",
		"00 00",
	}
	for _, s := range seeds {
		f.Add(hx(f, s), false)
		f.Add(hx(f, s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, v2 bool) {
		if len(data) > maxFuzzInput {
			return
		}
		d := NewDoc(WithClientID(1))
		if err := d.GetText("t").Insert(0, "hello", nil); err != nil {
			t.Fatal(err)
		}
		if err := d.GetMap("m").Set("k", 1); err != nil {
			t.Fatal(err)
		}
		before := d.EncodeStateAsUpdate(nil)
		var err error
		if v2 {
			err = d.ApplyUpdateV2(data)
		} else {
			err = d.ApplyUpdate(data)
		}
		after := d.EncodeStateAsUpdate(nil)
		if err != nil && !bytes.Equal(before, after) {
			t.Fatalf("rejected update changed the document: %v", err)
		}
		// whatever was accepted must round-trip through a fresh replica
		r := NewDoc(WithClientID(2))
		if err := r.ApplyUpdate(after); err != nil {
			t.Fatalf("own state rejected: %v", err)
		}
		_ = d.ToJSON()
		_ = d.Snapshot().Digest()
	})
}
