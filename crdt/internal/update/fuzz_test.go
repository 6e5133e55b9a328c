package update

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

// fuzzSeeds are the §8 vectors plus a few hand-made edge cases.
func fuzzSeedsV1(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, v := range v1Vectors {
		seeds = append(seeds, hexBytes(f, v.hex))
	}
	return seeds
}

// checkStable asserts that an accepted update re-encodes to bytes that decode
// again to the same encoding.
func checkStable(t *testing.T, b []byte, v2 bool) {
	u, err := Decode(b, v2)
	if err != nil {
		return
	}
	first := u.Encode(v2)
	again, err := Decode(first, v2)
	if err != nil {
		t.Fatalf("re-encoded update does not decode: %v\n% x", err, first)
	}
	if second := again.Encode(v2); !bytes.Equal(first, second) {
		t.Fatalf("encoding is not stable\n% x\n% x", first, second)
	}
}

func FuzzDecodeV1(f *testing.F) {
	for _, s := range fuzzSeedsV1(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) <= maxFuzzInput {
			checkStable(t, b, false)
		}
	})
}

func FuzzDecodeV2(f *testing.F) {
	for _, v := range v2Vectors {
		f.Add(hexBytes(f, v.v2))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) <= maxFuzzInput {
			checkStable(t, b, true)
		}
	})
}

// splitUpdates cuts fuzz input into several updates at 0xff 0xfe markers.
func splitUpdates(b []byte) [][]byte {
	return bytes.Split(b, []byte{0xff, 0xfe})
}

func FuzzMerge(f *testing.F) {
	seeds := fuzzSeedsV1(f)
	for i := 0; i+1 < len(seeds); i++ {
		f.Add(bytes.Join([][]byte{seeds[i], seeds[i+1], seeds[(i*7)%len(seeds)]}, []byte{0xff, 0xfe}), false)
	}
	for _, v := range v2Vectors {
		f.Add(bytes.Join([][]byte{hexBytes(f, v.v2), hexBytes(f, v.v2)}, []byte{0xff, 0xfe}), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, v2 bool) {
		if len(b) > maxFuzzInput {
			return
		}
		ups := splitUpdates(b)
		merged, err := Merge(ups, v2)
		if err != nil {
			return
		}
		if _, err := Decode(merged, v2); err != nil {
			t.Fatalf("merge of valid updates does not decode: %v\n% x", err, merged)
		}
		// Merging is idempotent on its own output.
		again, err := Merge([][]byte{merged, merged}, v2)
		if err != nil {
			t.Fatalf("merging the merge with itself: %v", err)
		}
		if _, err := Decode(again, v2); err != nil {
			t.Fatalf("re-merge does not decode: %v", err)
		}
	})
}

func FuzzDiff(f *testing.F) {
	for _, s := range fuzzSeedsV1(f) {
		f.Add(s, []byte{0x01, 0x01, 0x02}, false)
	}
	f.Fuzz(func(t *testing.T, b, svBytes []byte, v2 bool) {
		if len(b)+len(svBytes) > maxFuzzInput {
			return
		}
		sv, err := DecodeStateVector(svBytes)
		if err != nil {
			return
		}
		diff, err := Diff(b, sv, v2)
		if err != nil {
			return
		}
		if _, err := Decode(diff, v2); err != nil {
			t.Fatalf("diff of a valid update does not decode: %v\n% x", err, diff)
		}
		if _, err := StateVectorOf(diff, v2); err != nil {
			t.Fatalf("state vector of the diff: %v", err)
		}
	})
}
