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
		seg := SegmentOf(s, doc)
		h := EntryHash(doc, d)
		t.leaves[seg] ^= h
		t.branches[s.BranchOf(seg)] ^= h
		t.top ^= h
	}
	return t
}

func digestOf(i int) [32]byte { return sha256.Sum256([]byte(fmt.Sprint(i))) }

func TestIncrementalUpdatesMatchRebuild(t *testing.T) {
	shape := Shape{Branches: 8, LeavesPerBranch: 4} // small, so segments hold many documents
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
	if len(Differing(tr.Branches(), want.Branches())) != 0 {
		t.Fatal("branches differ from a rebuild")
	}
	for b := 0; b < shape.Branches; b++ {
		got, _ := tr.Leaves(b)
		exp, _ := want.Leaves(b)
		if len(Differing(got, exp)) != 0 {
			t.Fatalf("branch %d leaves differ from a rebuild", b)
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
	seg := SegmentOf(DefaultShape, "d7")
	branches := Differing(a.Branches(), b.Branches())
	if len(branches) != 1 || branches[0] != DefaultShape.BranchOf(seg) {
		t.Fatalf("differing branches %v, want only %d", branches, DefaultShape.BranchOf(seg))
	}
	la, _ := a.Leaves(branches[0])
	lb, _ := b.Leaves(branches[0])
	leaves := Differing(la, lb)
	if len(leaves) != 1 || branches[0]*DefaultShape.LeavesPerBranch+leaves[0] != int(seg) {
		t.Fatalf("differing leaves %v, want segment %d", leaves, seg)
	}
}

func TestEntryHashSeparatesIdFromDigest(t *testing.T) {
	var d [32]byte
	if EntryHash("ab", d) == EntryHash("a", d) {
		t.Fatal("different ids must hash differently")
	}
}

func TestShapeValidation(t *testing.T) {
	for _, s := range []Shape{{0, 1}, {1, 0}, {MaxSide + 1, 1}, {-1, 5}} {
		if s.Validate() == nil {
			t.Errorf("shape %+v accepted", s)
		}
	}
	if err := DefaultShape.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, ok := New(Shape{2, 2}).Leaves(2); ok {
		t.Fatal("out-of-range branch must report !ok")
	}
}
