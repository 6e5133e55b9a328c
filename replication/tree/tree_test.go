package tree

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"testing"
)

// naiveTree rebuilds every hash from the full (doc → digest) map: the model the O(1) updates must match.
func naiveTree(s Shape, docs map[string][32]byte) *Tree {
	t := New(s)
	for doc, d := range docs {
		t.levels[s.Depth][SegmentOf(s, doc)] ^= EntryHash(doc, d)
	}
	for l := s.Depth - 1; l >= 0; l-- {
		for i := range t.levels[l+1] {
			t.levels[l][i/s.Fanout] ^= t.levels[l+1][i]
		}
	}
	return t
}

func digestOf(i int) [32]byte { return sha256.Sum256([]byte(fmt.Sprint(i))) }

func TestIncrementalUpdatesMatchRebuild(t *testing.T) {
	shape := Shape{Fanout: 2, Depth: 5} // small, so segments hold many documents
	rng := rand.New(rand.NewPCG(1, 2))
	docs := map[string][32]byte{}
	tr := New(shape)
	for step := 0; step < 2000; step++ {
		doc := fmt.Sprintf("doc-%d", rng.IntN(50))
		old, had := docs[doc]
		switch {
		case had && rng.IntN(5) == 0:
			tr.Replace(doc, &old, nil)
			delete(docs, doc)
		default:
			d := digestOf(step)
			if had {
				tr.Replace(doc, &old, &d)
			} else {
				tr.Replace(doc, nil, &d)
			}
			docs[doc] = d
		}
		want := naiveTree(shape, docs)
		if tr.Top() != want.Top() {
			t.Fatalf("step %d: top %x, rebuild gives %x", step, tr.Top(), want.Top())
		}
	}
	want := naiveTree(shape, docs)
	for l := 0; l < shape.Depth; l++ {
		for i := 0; i < shape.Width(l); i++ {
			got, _ := tr.Children(l, i)
			exp, _ := want.Children(l, i)
			if len(Differing(got, exp)) != 0 {
				t.Fatalf("children of node %d at level %d differ from a rebuild", i, l)
			}
		}
	}
}

func TestDifferenceIsFoundInTheRightPlace(t *testing.T) {
	a, b := New(DefaultShape), New(DefaultShape)
	for i := 0; i < 1000; i++ {
		d := digestOf(i)
		a.Replace(fmt.Sprint("d", i), nil, &d)
		b.Replace(fmt.Sprint("d", i), nil, &d)
	}
	if a.Top() != b.Top() {
		t.Fatal("equal contents must give equal tops")
	}
	old, changed := digestOf(7), digestOf(-7)
	b.Replace("d7", &old, &changed)
	if a.Top() == b.Top() {
		t.Fatal("a changed digest must change the top")
	}
	// Descend as an exchange does: exactly one child differs at every level, ending at d7's segment.
	node := 0
	for l := 0; l < DefaultShape.Depth; l++ {
		ca, _ := a.Children(l, node)
		cb, _ := b.Children(l, node)
		diff := Differing(ca, cb)
		if len(diff) != 1 {
			t.Fatalf("level %d: %d children differ, want 1", l+1, len(diff))
		}
		node = node*DefaultShape.Fanout + diff[0]
	}
	if want := SegmentOf(DefaultShape, "d7"); node != int(want) {
		t.Fatalf("descent ended at segment %d, want %d", node, want)
	}
}

func TestEntryHashSeparatesIdFromDigest(t *testing.T) {
	var d [32]byte
	if EntryHash("ab", d) == EntryHash("a", d) {
		t.Fatal("different ids must hash differently")
	}
}

func TestShapeValidation(t *testing.T) {
	for _, s := range []Shape{{0, 1}, {1, 3}, {2, 0}, {MaxFanout + 1, 1}, {2, MaxDepth + 1}, {-1, 5}, {256, 4}} {
		if s.Validate() == nil {
			t.Errorf("shape %+v accepted", s)
		}
	}
	if err := DefaultShape.Validate(); err != nil {
		t.Fatal(err)
	}
	small := New(Shape{Fanout: 2, Depth: 2})
	for _, c := range [][2]int{{0, 1}, {1, 2}, {2, 0}, {-1, 0}} {
		if _, ok := small.Children(c[0], c[1]); ok {
			t.Fatalf("Children(%d, %d) of a 2×2 tree must report !ok", c[0], c[1])
		}
	}
	if got := (Shape{Fanout: 8, Depth: 6}).Segments(); got != 262144 {
		t.Fatalf("8^6 segments = %d", got)
	}
}

// TestCountsFollowInsertsAndRemovals: every node counts the documents below it, through inserts,
// digest changes (no change in count) and removals.
func TestCountsFollowInsertsAndRemovals(t *testing.T) {
	shape := Shape{Fanout: 4, Depth: 3}
	tr := New(shape)
	d1, d2 := digestOf(1), digestOf(2)
	for i := range 50 {
		tr.Replace(fmt.Sprint("doc", i), nil, &d1)
	}
	tr.Replace("doc7", &d1, &d2)
	tr.Replace("doc8", &d1, nil)
	if got := tr.Count(0, 0); got != 49 {
		t.Fatalf("top counts %d documents, want 49", got)
	}
	for l := 1; l <= shape.Depth; l++ {
		sum := 0
		for i := range shape.Width(l) {
			sum += tr.Count(l, i)
		}
		if sum != 49 {
			t.Fatalf("level %d counts sum to %d, want 49", l, sum)
		}
	}
	seg := SegmentOf(shape, "doc7")
	if !tr.Covers(1, int(seg)/16, seg) || tr.Covers(1, (int(seg)/16+1)%4, seg) || tr.Count(3, int(seg)) == 0 {
		t.Fatalf("segment %d: Covers/Count disagree with the shape", seg)
	}
}

// TestShortHashIsSaltedAndSpreads: equal inputs agree; a change of salt changes the value (so a
// collision in one exchange does not repeat in the next); differing hashes almost never agree.
func TestShortHashIsSaltedAndSpreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	same, saltKept := 0, 0
	for range 10000 {
		h1, h2, salt := rng.Uint64(), rng.Uint64(), rng.Uint64N(1<<16)
		if ShortHash(h1, salt) != ShortHash(h1, salt) || ShortHash(h1, salt) >= 1<<32 {
			t.Fatal("ShortHash must be a deterministic 32-bit value")
		}
		if ShortHash(h1, salt) == ShortHash(h2, salt) {
			same++
		}
		if ShortHash(h1, salt) == ShortHash(h1, salt+1) {
			saltKept++
		}
	}
	if same > 0 || saltKept > 0 {
		t.Fatalf("in 10,000 draws: %d collisions of different hashes, %d values unchanged by the salt", same, saltKept)
	}
	// Neighbouring hashes (one bit apart, as XOR trees produce) must not agree either.
	if ShortHash(1, 7) == ShortHash(3, 7) || ShortHash(0, 7) == ShortHash(1<<63, 7) {
		t.Fatal("hashes one bit apart collide")
	}
}
