package protocol

import (
	"errors"
	"testing"
)

func TestDeleteSetCovers(t *testing.T) {
	// A snapshot whose DS deletes client 1 clocks [0,3) and [3,5), client 2 clock [10,12); then an SV.
	snapshot := unhex(t, "02 01 02 00 03 03 02 02 01 0a 02 01 01 05")
	have, err := DecodeSnapshotDeleteSet(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		update string
		covers bool
	}{
		{"00 00", true},                   // empty update
		{"00 01 01 01 01 03", true},       // [1,4) spans two adjacent ranges
		{"00 01 01 01 04 02", false},      // [4,6) runs past the end
		{"00 01 02 01 0a 01", true},       // client 2 [10,11)
		{"00 01 03 01 00 01", false},      // unknown client
		{"00 01 02 02 0a 02 0b 00", true}, // zero-length ranges are nothing
	}
	for _, c := range cases {
		ds, hasStructs, err := DecodeStructlessUpdate(unhex(t, c.update))
		if err != nil || hasStructs {
			t.Fatalf("%s: %v %v", c.update, hasStructs, err)
		}
		if got := have.Covers(ds); got != c.covers {
			t.Errorf("%s: covers = %v, want %v", c.update, got, c.covers)
		}
	}
	if _, hasStructs, err := DecodeStructlessUpdate(unhex(t, helloUpdate)); err != nil || !hasStructs {
		t.Fatalf("update with structs: %v %v", hasStructs, err)
	}
}

func FuzzDecodeStructlessUpdate(f *testing.F) {
	f.Add(unhex(f, "00 01 01 01 01 03"))
	f.Add(unhex(f, "00 00"))
	f.Add(unhex(f, "02 01 02 00 03 03 02 02 01 0a 02 01 01 05"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, _, err := DecodeStructlessUpdate(b)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("unwrapped error %v", err)
		}
		snap, err := DecodeSnapshotDeleteSet(b)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("unwrapped error %v", err)
		}
		if ds != nil && !ds.Covers(ds) {
			t.Fatalf("a delete set must cover itself: %v", ds)
		}
		if snap != nil && !snap.Covers(snap) {
			t.Fatalf("a delete set must cover itself: %v", snap)
		}
	})
}
