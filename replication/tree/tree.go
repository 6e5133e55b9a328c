package tree

// Tree is an XOR hash tree over (document, digest) pairs. The zero value is not usable; call New.
// A Tree is not safe for concurrent use.
type Tree struct {
	shape  Shape
	levels [][]uint64 // levels[0] is the top (one node), levels[Depth] the segments
	// counts[l][i] is how many documents lie below node i of level l: an exchange uses it to judge
	// whether descending into a differing node costs more hash bytes than listing its keys.
	counts [][]uint32
}

// New returns an empty tree of shape s. It panics on an invalid shape, which is a programming error:
// shapes come from configuration validated with Shape.Validate.
func New(s Shape) *Tree {
	if err := s.Validate(); err != nil {
		panic(err)
	}
	t := &Tree{shape: s, levels: make([][]uint64, s.Depth+1), counts: make([][]uint32, s.Depth+1)}
	for l := range t.levels {
		t.levels[l] = make([]uint64, s.Width(l))
		t.counts[l] = make([]uint32, s.Width(l))
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
	var count uint32 // added to every count on the path (as two's complement for a removal)
	switch {
	case old == nil && new != nil:
		count = 1
	case old != nil && new == nil:
		count = ^uint32(0)
	}
	if delta == 0 && count == 0 {
		return
	}
	i := int(SegmentOf(t.shape, doc))
	for l := t.shape.Depth; l >= 0; l-- {
		t.levels[l][i] ^= delta
		t.counts[l][i] += count
		i /= t.shape.Fanout
	}
}

// Count is the number of documents below node index of level (0 when out of range).
func (t *Tree) Count(level, index int) int {
	if level < 0 || level > t.shape.Depth || index < 0 || index >= len(t.counts[level]) {
		return 0
	}
	return int(t.counts[level][index])
}

// Covers reports whether segment seg lies below node index of level.
func (t *Tree) Covers(level, index int, seg uint32) bool {
	for l := t.shape.Depth; l > level; l-- {
		seg /= uint32(t.shape.Fanout)
	}
	return int(seg) == index
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
