package tree

// Tree is an XOR hash tree over (document, digest) pairs. The zero value is not usable; call New.
// A Tree is not safe for concurrent use.
type Tree struct {
	shape    Shape
	leaves   []uint64 // one per segment
	branches []uint64 // XOR of the branch's leaves
	top      uint64   // XOR of all branches
}

// New returns an empty tree of shape s. It panics on an invalid shape, which is a programming error:
// shapes come from configuration validated with Shape.Validate.
func New(s Shape) *Tree {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	return &Tree{shape: s, leaves: make([]uint64, s.Segments()), branches: make([]uint64, s.Branches)}
}

// Shape is the tree's fixed shape.
func (t *Tree) Shape() Shape { return t.shape }

// Replace moves a document from digest old to digest new in O(1). A nil old means the document was
// not in the tree; a nil new removes it. Callers must pass the exact digest previously inserted as old.
func (t *Tree) Replace(doc string, old, new *[32]byte) {
	var delta uint64
	if old != nil {
		delta ^= EntryHash(doc, *old)
	}
	if new != nil {
		delta ^= EntryHash(doc, *new)
	}
	if delta == 0 {
		return
	}
	seg := SegmentOf(t.shape, doc)
	t.leaves[seg] ^= delta
	t.branches[t.shape.BranchOf(seg)] ^= delta
	t.top ^= delta
}

// Top is the hash of the whole tree: equal tops mean (with overwhelming probability) equal contents.
func (t *Tree) Top() uint64 { return t.top }

// Branches returns a copy of the branch hashes.
func (t *Tree) Branches() []uint64 { return append([]uint64(nil), t.branches...) }

// Leaves returns a copy of the leaf hashes of one branch; ok is false for an index out of range.
func (t *Tree) Leaves(branch int) (leaves []uint64, ok bool) {
	if branch < 0 || branch >= t.shape.Branches {
		return nil, false
	}
	n := t.shape.LeavesPerBranch
	return append([]uint64(nil), t.leaves[branch*n:(branch+1)*n]...), true
}

// Differing returns the indexes at which two equally long hash lists differ, in increasing order.
func Differing(a, b []uint64) []int {
	var out []int
	for i := range a {
		if i >= len(b) || a[i] != b[i] {
			out = append(out, i)
		}
	}
	return out
}
