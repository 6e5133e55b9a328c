package update

import (
	"bytes"
	"maps"
	"testing"
)

func TestDiffTV6(t *testing.T) {
	u := hexBytes(t, "02 01 ac 02 00 84 01 04 06 20 77 6f 72 6c 64 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00")
	cases := []struct {
		sv   StateVector
		want string
	}{
		{StateVector{1: 5}, "01 01 ac 02 00 84 01 04 06 20 77 6f 72 6c 64 00"},
		{StateVector{1: 2}, "02 01 ac 02 00 84 01 04 06 20 77 6f 72 6c 64 01 01 02 84 01 01 03 6c 6c 6f 00"},
		{StateVector{}, "02 01 ac 02 00 84 01 04 06 20 77 6f 72 6c 64 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00"},
		{StateVector{1: 5, 300: 6}, "00 00"},
	}
	for _, c := range cases {
		got, err := Diff(u, c.sv, false)
		if err != nil {
			t.Fatalf("Diff(%v): %v", c.sv, err)
		}
		if want := hexBytes(t, c.want); !bytes.Equal(got, want) {
			t.Errorf("Diff(%v)\n got % x\nwant % x", c.sv, got, want)
		}
	}
}

func TestMergeTV9SkipAndTV4(t *testing.T) {
	ups := [][]byte{
		hexBytes(t, "01 01 01 00 04 01 01 74 02 61 62 00"),
		hexBytes(t, "01 01 01 02 84 01 01 02 63 64 00"),
		hexBytes(t, "01 01 01 04 84 01 03 02 65 66 00"),
	}
	cases := []struct {
		name string
		in   [][]byte
		want string
	}{
		{"gap becomes a Skip", [][]byte{ups[0], ups[2]}, "01 03 01 00 04 01 01 74 02 61 62 0a 02 84 01 03 02 65 66 00"},
		{"gap in reverse input order", [][]byte{ups[2], ups[0]}, "01 03 01 00 04 01 01 74 02 61 62 0a 02 84 01 03 02 65 66 00"},
		{"all three, items not coalesced", ups, "01 03 01 00 04 01 01 74 02 61 62 84 01 01 02 63 64 84 01 03 02 65 66 00"},
		{"duplicates are written once", [][]byte{ups[1], ups[0], ups[1], ups[2], ups[0]}, "01 03 01 00 04 01 01 74 02 61 62 84 01 01 02 63 64 84 01 03 02 65 66 00"},
		{"TV4 clients descending", [][]byte{hexBytes(t, "01 01 01 00 04 01 01 74 01 41 00"), hexBytes(t, "01 01 02 00 04 01 01 74 01 42 00")},
			"02 01 02 00 04 01 01 74 01 42 01 01 00 04 01 01 74 01 41 00"},
		{"no updates", nil, "00 00"},
		{"single update returned as is", [][]byte{ups[1]}, "01 01 01 02 84 01 01 02 63 64 00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Merge(c.in, false)
			if err != nil {
				t.Fatal(err)
			}
			if want := hexBytes(t, c.want); !bytes.Equal(got, want) {
				t.Errorf("\n got % x\nwant % x", got, want)
			}
		})
	}
}

func TestMergeSlicesOverlapAndMergesDeleteSets(t *testing.T) {
	// "hello" as one item, plus "llo!" typed later from clock 2 in another update
	// (an overlap): the second one is sliced at the first unwritten clock.
	full := hexBytes(t, "01 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 01 01 01 03 01")
	tail := hexBytes(t, "01 02 01 02 84 01 01 03 6c 6c 6f 84 01 04 01 21 01 01 01 00 01")
	got, err := Merge([][]byte{full, tail}, false)
	if err != nil {
		t.Fatal(err)
	}
	want := hexBytes(t, "01 02 01 00 04 01 01 74 05 68 65 6c 6c 6f 84 01 04 01 21 01 01 02 00 01 03 01")
	if !bytes.Equal(got, want) {
		t.Errorf("\n got % x\nwant % x", got, want)
	}
}

func TestStateVectorOf(t *testing.T) {
	cases := []struct {
		name, update string
		want         StateVector
	}{
		{"TV6", "02 01 ac 02 00 84 01 04 06 20 77 6f 72 6c 64 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00", StateVector{300: 6, 1: 5}},
		{"TV9 stops at the Skip", "01 03 01 00 04 01 01 74 02 61 62 0a 02 84 01 03 02 65 66 00", StateVector{1: 2}},
		{"not starting at 0", "01 01 01 04 84 01 03 02 65 66 00", StateVector{}},
		{"GC counts", "01 03 09 00 01 01 01 61 01 00 02 88 09 00 01 77 04 6b 65 65 70 01 09 01 00 03", StateVector{9: 4}},
		{"empty", "00 00", StateVector{}},
	}
	for _, c := range cases {
		got, err := StateVectorOf(hexBytes(t, c.update), false)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !maps.Equal(got, c.want) {
			t.Errorf("%s: got %v want %v", c.name, got, c.want)
		}
	}
}

func TestStateVectorEncoding(t *testing.T) {
	sv := StateVector{1: 5, 300: 6}
	want := hexBytes(t, "02 ac 02 06 01 05")
	if got := sv.Encode(); !bytes.Equal(got, want) {
		t.Fatalf("Encode: got % x want % x", got, want)
	}
	back, err := DecodeStateVector(want)
	if err != nil || !maps.Equal(back, sv) {
		t.Fatalf("DecodeStateVector: %v %v", back, err)
	}
	for _, bad := range []string{"", "05 01", "01 01", "01 ff"} {
		if _, err := DecodeStateVector(hexBytes(t, bad)); err == nil {
			t.Errorf("DecodeStateVector(%q) accepted", bad)
		}
	}
}

// The lazy reader of the update operations never reads the key of an Item that
// has an origin, so Yjs re-encodes TV3's overwrite (info 0xa8) as 0x88.
func TestUpdateOpsDropUnwrittenParentSubBit(t *testing.T) {
	in := hexBytes(t, "01 01 01 02 a8 01 00 01 78 01 01 01 00 01")
	want := hexBytes(t, "01 01 01 02 88 01 00 01 78 01 01 01 00 01")
	got, err := Diff(in, StateVector{}, false)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Diff: got % x (%v) want % x", got, err, want)
	}
	u, err := Decode(in, false)
	if err != nil || !bytes.Equal(u.Encode(false), in) {
		t.Fatalf("Decode/Encode must keep the bit: %v", err)
	}
}
