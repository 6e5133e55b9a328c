package tree

// Tree is an XOR hash tree over (document, digest) pairs. The zero value is not usable; call New.
// A Tree is not safe for concurrent use.
type Tree struct {
	shape  Shape
	levels [][]uint64 // levels[0] is the top (one node), levels[Depth] the segments
}

// New returns an empty tree of shape s. It panics on an invalid shape, which is a programming error:
// shapes come from configuration validated with Shape.Validate.
func New(s Shape) *Tree {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	t := &Tree{shape: s, levels: make([][]uint64, s.Depth+1)}
	for l := range t.levels {
		t.levels[l] = make([]uint64, s.Width(l))
	}
	return t
}

// Shape is the tree's fixed shape.
func (t *Tree) Shape() Shape { return t.shape }

// Replace moves a document from digest old to digest new in O(Depth). A nil old means the document
// was not in the tree; a nil new removes it. Callers must pass the exact digest previously inserted
// as old.
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
	i := int(SegmentOf(t.shape, doc))
	for l := t.shape.Depth; l >= 0; l-- {
		t.levels[l][i] ^= delta
		i /= t.shape.Fanout
	}
}

// Top is the hash of the whole tree: equal tops mean (with overwhelming probability) equal contents.
func (t *Tree) Top() uint64 { return t.levels[0][0] }

// Children returns a copy of the Fanout hashes (at level+1) below node index of level. ok is false
// when level is not in 0..Depth-1 or index is out of range.
func (t *Tree) Children(level, index int) (hashes []uint64, ok bool) {
	if level < 0 || level >= t.shape.Depth || index < 0 || index >= len(t.levels[level]) {
		return nil, false
	}
	f := t.shape.Fanout
	return append([]uint64(nil), t.levels[level+1][index*f:(index+1)*f]...), true
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
