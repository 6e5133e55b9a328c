package update

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// hexBytes parses the space-separated hex of yjs-protocol.md §8 ("|" separators allowed).
func hexBytes(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.NewReplacer(" ", "", "|", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// v1Vectors are every v1 update of yjs-protocol.md §8 (TV1-TV15), as Yjs wrote them.
var v1Vectors = []struct{ name, hex string }{
	{"TV1 v1 update", "01 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00"},
	{"TV2 ups[0] insert", "01 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00"},
	{"TV2 ups[1] delete: only a delete set, no structs", "00 01 01 01 01 03"},
	{"TV2 full state after the delete (GC on: 'ell' became ContentDele", "01 03 01 00 04 01 01 74 01 68 81 01 00 03 84 01 03 01 6f 01 01 01 01 03"},
	{"TV2 ups[2] insert '!' after 'o' (origin = last unit of 'o')", "01 01 01 05 84 01 04 01 21 00"},
	{"TV2 full state at the end ('o' and '!' were merged into one item", "01 03 01 00 04 01 01 74 01 68 81 01 00 03 84 01 03 02 6f 21 01 01 01 01 03"},
	{"TV3 ups[0] m.a=1", "01 01 01 00 28 01 01 6d 01 61 01 7d 01 00"},
	{"TV3 ups[1] m.b=x", "01 01 01 01 28 01 01 6d 01 62 01 77 01 78 00"},
	{"TV3 ups[2] m.a=true (0xa8, key not written)", "01 01 01 02 a8 01 00 01 78 01 01 01 00 01"},
	{"TV3 full state", "01 03 01 00 21 01 01 6d 01 61 01 28 01 01 6d 01 62 01 77 01 78 a8 01 00 01 78 01 01 01 00 01"},
	{"TV4 merged state", "02 01 02 00 04 01 01 74 01 42 01 01 00 04 01 01 74 01 41 00"},
	{"TV4 client 5 diff", "01 01 05 02 c4 05 00 05 01 01 43 00"},
	{"TV4 client 3 diff", "01 01 03 00 c4 05 00 05 01 01 45 00"},
	{"TV5 merged state", "02 01 02 00 28 01 01 6d 01 6b 01 77 05 66 72 6f 6d 32 01 01 00 21 01 01 6d 01 6b 01 01 01 01 00 01"},
	{"TV6 u", "02 01 ac 02 00 84 01 04 06 20 77 6f 72 6c 64 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00"},
	{"TV6 diffUpdate(u, SV{1:5}): only client 300 remains", "01 01 ac 02 00 84 01 04 06 20 77 6f 72 6c 64 00"},
	{"TV6 diffUpdate(u, SV{1:2}): client 1's item is sliced at offset ", "02 01 ac 02 00 84 01 04 06 20 77 6f 72 6c 64 01 01 02 84 01 01 03 6c 6c 6f 00"},
	{"TV9 mergeUpdates([ups[0], ups[2]])", "01 03 01 00 04 01 01 74 02 61 62 0a 02 84 01 03 02 65 66 00"},
	{"TV10 emoji text (7 UTF-8 bytes, CRDT length 4)", "01 01 01 00 04 01 01 74 06 61 f0 9f 98 80 62 00"},
	{"TV10 array of any values, client 3000000000", "01 01 80 bc c1 96 0b 00 08 01 01 6c 04 7d 01 77 03 74 77 6f 7e 76 01 01 6b 75 01 78 00"},
	{"TV11 gc on: the deleted YMap item (9,0) keeps its place as Conten", "01 03 09 00 01 01 01 61 01 00 02 88 09 00 01 77 04 6b 65 65 70 01 09 01 00 03"},
	{"TV11 gc off: everything is kept; the DS marks 9:0", "01 04 09 00 07 01 01 61 01 28 00 09 00 01 78 01 7d 01 28 00 09 00 01 79 01 7d 02 88 09 00 01 77 04 6b 65 65 70 01 09 01 00 03"},
	{"TV12 full state", "01 09 07 00 07 01 01 61 01 88 07 00 02 77 03 73 74 72 7d 05 27 00 07 00 01 6b 02 04 00 07 03 02 68 69 07 01 01 78 03 01 70 28 00 07 06 05 63 6c 61 73 73 01 77 01 63 07 00 07 06 06 04 00 07 08 01 7a 83 07 02 02 01 02 00"},
	{"TV13 full state", "01 04 04 00 06 01 01 72 04 62 6f 6c 64 04 74 72 75 65 84 04 00 02 61 62 86 04 02 04 62 6f 6c 64 04 6e 75 6c 6c 85 04 03 0f 7b 22 69 6d 67 22 3a 22 78 2e 70 6e 67 22 7d 00"},
	{"TV14 subdocument", "01 01 02 00 29 01 04 64 6f 63 73 01 73 05 73 75 62 2d 31 76 01 08 61 75 74 6f 4c 6f 61 64 78 00"},
	{"TV14 xml hook", "01 01 02 00 07 01 01 78 05 02 68 6b 00"},
	{"TV14 hand-built ContentJSON (ref 2) update, accepted by Yjs; getA", "01 01 05 00 02 01 01 6a 03 01 31 03 22 61 22 09 75 6e 64 65 66 69 6e 65 64 00"},
	{"TV15 transaction update: clients in descending order, ranges sort", "00 02 02 01 01 01 01 02 00 01 03 01"},
	{"TV4 ua", "01 01 01 00 04 01 01 74 01 41 00"},
	{"TV4 ub", "01 01 02 00 04 01 01 74 01 42 00"},
	{"TV9 ups[0]", "01 01 01 00 04 01 01 74 02 61 62 00"},
	{"TV9 ups[1]", "01 01 01 02 84 01 01 02 63 64 00"},
	{"TV9 ups[2]", "01 01 01 04 84 01 03 02 65 66 00"},
	{"TV9 merge of all three", "01 03 01 00 04 01 01 74 02 61 62 84 01 01 02 63 64 84 01 03 02 65 66 00"},
	{"TV9 state relaying a pending struct", "01 01 01 04 84 01 03 02 65 66 00"},
	{"empty update", "00 00"},
}

// v2Vectors are the v2 updates of §5.4 and §8 with the v1 update they encode.
var v2Vectors = []struct{ name, v2, v1 string }{
	{"TV1 hello", "00 00 01 01 00 00 01 04 09 06 74 68 65 6c 6c 6f 01 05 01 01 00 00 01 01 00 00",
		"01 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00"},
	{"§5.4 map {a:1,b:x}", "00 00 01 01 00 00 01 28 07 04 6d 61 6d 62 41 02 01 01 00 02 41 00 01 02 00 7d 01 77 01 78 00",
		"01 02 01 00 28 01 01 6d 01 61 01 7d 01 28 01 01 6d 01 62 01 77 01 78 00"},
	{"TV15 delete set only", "00 00 00 00 00 00 01 00 00 00 00 | 00 02 02 01 01 00 01 02 00 00 02 00",
		"00 02 02 01 01 01 01 02 00 01 03 01"},
}

func TestVectorsRoundTripV1(t *testing.T) {
	for _, tc := range v1Vectors {
		t.Run(tc.name, func(t *testing.T) {
			in := hexBytes(t, tc.hex)
			u, err := Decode(in, false)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if out := u.Encode(false); !bytes.Equal(out, in) {
				t.Fatalf("re-encoded\n got % x\nwant % x", out, in)
			}
		})
	}
}

func TestVectorsV2(t *testing.T) {
	for _, tc := range v2Vectors {
		t.Run(tc.name, func(t *testing.T) {
			in2, in1 := hexBytes(t, tc.v2), hexBytes(t, tc.v1)
			u, err := Decode(in2, true)
			if err != nil {
				t.Fatalf("Decode v2: %v", err)
			}
			if out := u.Encode(true); !bytes.Equal(out, in2) {
				t.Fatalf("v2 re-encoded\n got % x\nwant % x", out, in2)
			}
			if out := u.Encode(false); !bytes.Equal(out, in1) {
				t.Fatalf("v2 -> v1\n got % x\nwant % x", out, in1)
			}
			for _, c := range []struct {
				from, to []byte
				fromV2   bool
			}{{in1, in2, false}, {in2, in1, true}} {
				got, err := Convert(c.from, c.fromV2, !c.fromV2)
				if err != nil {
					t.Fatalf("Convert: %v", err)
				}
				if !bytes.Equal(got, c.to) {
					t.Fatalf("Convert(fromV2=%v)\n got % x\nwant % x", c.fromV2, got, c.to)
				}
			}
		})
	}
}
