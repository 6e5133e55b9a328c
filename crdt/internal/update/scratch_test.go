package update

import (
	"bytes"
	"reflect"
	"testing"
)

// sameAsDecode fails unless decoding b through sc gives what Decode gives: the same error-ness,
// the same re-encoding and the same delete set.
func sameAsDecode(t *testing.T, sc *Scratch, b []byte, what string) {
	t.Helper()
	sameAsDecodeIn(t, sc, b, false, what)
}

func sameAsDecodeIn(t *testing.T, sc *Scratch, b []byte, v2 bool, what string) {
	t.Helper()
	want, werr := Decode(b, v2)
	got, err := sc.Decode(b, v2)
	if (err == nil) != (werr == nil) {
		t.Fatalf("%s: Scratch.Decode error %v, Decode error %v", what, err, werr)
	}
	if err != nil {
		return
	}
	if !bytes.Equal(got.Encode(v2), want.Encode(v2)) {
		t.Fatalf("%s: Scratch.Decode re-encodes differently from Decode", what)
	}
	if !reflect.DeepEqual(got.DeleteSet.Clients, want.DeleteSet.Clients) {
		t.Fatalf("%s: delete sets differ:\n%v\n%v", what, got.DeleteSet.Clients, want.DeleteSet.Clients)
	}
}

// TestScratchDecodesLikeDecode decodes a stream of real updates, the §8 vectors, malformed input
// and a whole document state through one Scratch, without Release in between (the memory of
// each call is reused by the next), and compares every result with a fresh Decode.
func TestScratchDecodesLikeDecode(t *testing.T) {
	var sc Scratch
	ups := readUpdateStream(t, "automerge-paper.updates.v1.bin.gz")
	for i, u := range ups[:3000] {
		sameAsDecode(t, &sc, u, "automerge-paper update")
		if i%500 == 0 {
			sameAsDecode(t, &sc, u[:len(u)/2], "a truncated update")
		}
	}
	for _, v := range v1Vectors {
		sameAsDecode(t, &sc, hexBytes(t, v.hex), v.name)
	}
	sameAsDecode(t, &sc, readFixture(t, "automerge-paper.state.v1.bin"), "a whole state")
	sameAsDecode(t, &sc, ups[1], "a small update after a big one")
	// v2 through the same scratch, mixed with v1
	v2State := readFixture(t, "automerge-paper.state.v2.bin")
	sameAsDecodeIn(t, &sc, v2State, true, "a whole v2 state")
	sameAsDecodeIn(t, &sc, v2State[:len(v2State)/3], true, "a truncated v2 state")
	for _, v := range v2Vectors {
		sameAsDecodeIn(t, &sc, hexBytes(t, v.v2), true, v.name)
	}
	sameAsDecode(t, &sc, ups[2], "a v1 update after v2 ones")
}

// TestScratchReleaseDropsReferences: after Release nothing decoded stays reachable through the
// scratch, and the memory of a big update is not kept.
func TestScratchReleaseDropsReferences(t *testing.T) {
	var sc Scratch
	ups := readUpdateStream(t, "automerge-paper.updates.v1.bin.gz")
	if _, err := sc.Decode(ups[0], false); err != nil {
		t.Fatal(err)
	}
	sc.Release()
	for _, b := range sc.u.Blocks[:cap(sc.u.Blocks)] {
		for _, s := range b.Structs[:cap(b.Structs)] {
			if s.Content != nil {
				t.Fatal("a released scratch still holds a decoded content")
			}
		}
	}
	if len(sc.u.DeleteSet.Clients) != 0 {
		t.Fatal("a released scratch still holds delete ranges")
	}
	defer func(n int) { maxScratchStructs = n }(maxScratchStructs)
	maxScratchStructs = 256 // the whole state below has far more structs
	if _, err := sc.Decode(readFixture(t, "automerge-paper.state.v1.bin"), false); err != nil {
		t.Fatal(err)
	}
	sc.Release()
	if cap(sc.u.Blocks) != 0 && cap(sc.u.Blocks[:1][0].Structs) > maxScratchStructs {
		t.Fatalf("a released scratch keeps %d structs of a big update", cap(sc.u.Blocks[:1][0].Structs))
	}
}

// FuzzScratchDecode cuts the input into several updates and decodes them in turn through one
// Scratch (as v1 and v2 alternately), each compared with a fresh Decode.
func FuzzScratchDecode(f *testing.F) {
	seeds := fuzzSeedsV1(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add(bytes.Join(seeds, []byte{0xff, 0xfe}))
	for i, v := range v2Vectors { // a v1 update, then a v2 one
		f.Add(bytes.Join([][]byte{seeds[i%len(seeds)], hexBytes(f, v.v2)}, []byte{0xff, 0xfe}))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput { // see fuzz_test.go
			return
		}
		var sc Scratch
		for i, u := range splitUpdates(b) {
			sameAsDecodeIn(t, &sc, u, i%2 == 1, "fuzz input") // v1 and v2 in turn
		}
	})
}
