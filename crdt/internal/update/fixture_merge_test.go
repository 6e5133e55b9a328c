package update

import (
	"bytes"
	"maps"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/crdt/conformance/oracle"
)

// The merged updates cannot equal the fixture state byte for byte: the state
// is a document (deleted text GC'ed to ContentDeleted, adjacent items merged),
// while a merge keeps every typed item and the full delete set. So the merge
// is checked by what it means: Yjs applying it must reach exactly the fixture
// state, and its state vector must be the fixture's.
func TestMergeAutomergePaper(t *testing.T) {
	ups := readUpdateStream(t, "automerge-paper.updates.v1.bin.gz")
	start := time.Now()
	merged, err := Merge(ups, false)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("merged %d updates (%d bytes) into %d bytes in %v", len(ups), totalLen(ups), len(merged), elapsed)

	sv, err := StateVectorOf(merged, false)
	if err != nil {
		t.Fatal(err)
	}
	wantSV, err := DecodeStateVector(hexBytes(t, "01 01 ab 90 0b"))
	if err != nil || !maps.Equal(sv, wantSV) {
		t.Fatalf("state vector of the merge %v, fixture %v (%v)", sv, wantSV, err)
	}

	o := oracle.Start(t)
	state, err := o.Apply(oracle.ApplyRequest{Updates: [][]byte{merged}, GC: true, Roots: map[string]string{"text": "text"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := readFixture(t, "automerge-paper.state.v1.bin"); !bytes.Equal(state.StateV1, want) {
		t.Fatalf("Yjs applying the merge reaches a state of %d bytes, fixture %d bytes", len(state.StateV1), len(want))
	}
}

// Yjs's own mergeUpdates finishes on a prefix of the trace; there the bytes
// must be identical, and the two timings are printed side by side.
func TestMergeAutomergePaperPrefixMatchesYjs(t *testing.T) {
	ups := readUpdateStream(t, "automerge-paper.updates.v1.bin.gz")[:16000]
	o := oracle.Start(t)
	start := time.Now()
	want, err := o.MergeUpdates(ups, false)
	yjsTime := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	got, err := Merge(ups, false)
	goTime := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("merge of the first %d updates: Go %v, Yjs %v (including the oracle round trip)", len(ups), goTime, yjsTime)
	if !bytes.Equal(got, want) {
		t.Fatalf("merge differs from Yjs (%d vs %d bytes)", len(got), len(want))
	}
}

// Every fixture state (Yjs encodeStateAsUpdate, v1 and v2) decodes and
// re-encodes byte for byte, and both decodings describe the same update.
func TestFixtureStatesRoundTrip(t *testing.T) {
	for _, trace := range []string{"automerge-paper", "seph-blog1", "rustcode", "clownschool_flat", "friendsforever_flat", "sveltecomponent"} {
		v1 := readFixture(t, trace+".state.v1.bin")
		v2 := readFixture(t, trace+".state.v2.bin")
		u1, err := Decode(v1, false)
		if err != nil {
			t.Fatalf("%s v1: %v", trace, err)
		}
		u2, err := Decode(v2, true)
		if err != nil {
			t.Fatalf("%s v2: %v", trace, err)
		}
		if !bytes.Equal(u1.Encode(false), v1) || !bytes.Equal(u2.Encode(true), v2) {
			t.Fatalf("%s: re-encoding differs", trace)
		}
		if !bytes.Equal(u1.Encode(true), v2) || !bytes.Equal(u2.Encode(false), v1) {
			t.Fatalf("%s: v1 and v2 decodings differ", trace)
		}
	}
}

func totalLen(bs [][]byte) (n int) {
	for _, b := range bs {
		n += len(b)
	}
	return n
}

func BenchmarkMergeAutomergePaper(b *testing.B) {
	ups := readUpdateStream(b, "automerge-paper.updates.v1.bin.gz")
	b.SetBytes(int64(totalLen(ups)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Merge(ups, false); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkDecode(b *testing.B, name string, v2 bool) {
	state := readFixture(b, name)
	b.SetBytes(int64(len(state)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Decode(state, v2); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeV1(b *testing.B) { benchmarkDecode(b, "automerge-paper.state.v1.bin", false) }
func BenchmarkDecodeV2(b *testing.B) { benchmarkDecode(b, "automerge-paper.state.v2.bin", true) }

func BenchmarkEncodeV1(b *testing.B) {
	u, err := Decode(readFixture(b, "automerge-paper.state.v1.bin"), false)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		u.Encode(false)
	}
}
