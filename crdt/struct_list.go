package crdt

// structList is one client's structs in clock order, contiguous from clock 0 (the array yjs
// keeps per client in its StructStore). It is addressed by index like a slice, but stored in
// chunks of at most maxChunkLen pointers: splitting or merging a struct in the middle of a long
// history then moves the pointers of one chunk instead of the whole tail, which with a flat
// slice dominated local editing (memmove plus a GC write barrier per moved pointer).
type structList struct {
	chunks []*structChunk
	n      int // structs in all chunks
	hint   int // chunk of the last lookup: scans and neighbouring edits hit it again
}

// structChunk is a run of consecutive structs; first is the list index of items[0].
type structChunk struct {
	first int
	items []*item
}

const (
	// maxChunkLen bounds the pointers one insertion or deletion moves. Chunks are split in
	// halves when they overflow, so they stay between half and fully used.
	maxChunkLen = 256
	// appendChunkCap is the capacity of a chunk started by an append; appends fill chunks
	// completely, which keeps a freshly loaded document's store tight.
	appendChunkCap = maxChunkLen
)

func (l *structList) len() int {
	if l == nil {
		return 0
	}
	return l.n
}

// chunkOf returns the chunk holding list index i (0 <= i < n).
func (l *structList) chunkOf(i int) (int, *structChunk) {
	if h := l.hint; h < len(l.chunks) {
		if c := l.chunks[h]; i >= c.first && i < c.first+len(c.items) {
			return h, c
		}
		if h+1 < len(l.chunks) { // sequential scans move to the next chunk
			if c := l.chunks[h+1]; i >= c.first && i < c.first+len(c.items) {
				l.hint = h + 1
				return h + 1, c
			}
		}
	}
	lo, hi := 0, len(l.chunks)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if l.chunks[mid].first <= i {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	l.hint = lo
	return lo, l.chunks[lo]
}

// at returns the struct at list index i (0 <= i < len).
func (l *structList) at(i int) *item {
	_, c := l.chunkOf(i)
	return c.items[i-c.first]
}

// set replaces the struct at list index i.
func (l *structList) set(i int, it *item) {
	_, c := l.chunkOf(i)
	c.items[i-c.first] = it
}

// last returns the struct with the highest clock.
func (l *structList) last() *item {
	c := l.chunks[len(l.chunks)-1]
	return c.items[len(c.items)-1]
}

// push appends a struct after the last one.
func (l *structList) push(it *item) {
	if k := len(l.chunks); k > 0 {
		if c := l.chunks[k-1]; len(c.items) < maxChunkLen {
			c.items = append(c.items, it)
			l.n++
			return
		}
	}
	c := &structChunk{first: l.n, items: make([]*item, 1, appendChunkCap)}
	c.items[0] = it
	l.chunks = append(l.chunks, c)
	l.n++
}

// insert puts it at list index i (0 <= i <= len), shifting later structs up by one.
func (l *structList) insert(i int, it *item) {
	if i == l.n {
		l.push(it)
		return
	}
	ci, c := l.chunkOf(i)
	off := i - c.first
	c.items = append(c.items, nil)
	copy(c.items[off+1:], c.items[off:])
	c.items[off] = it
	l.n++
	for _, later := range l.chunks[ci+1:] {
		later.first++
	}
	if len(c.items) > maxChunkLen {
		l.splitChunk(ci)
	}
}

// splitChunk moves the upper half of chunk ci into a new chunk right after it.
func (l *structList) splitChunk(ci int) {
	c := l.chunks[ci]
	half := len(c.items) / 2
	upper := &structChunk{first: c.first + half, items: make([]*item, len(c.items)-half, maxChunkLen)}
	copy(upper.items, c.items[half:])
	clear(c.items[half:]) // drop the moved pointers so the GC does not see them twice
	c.items = c.items[:half]
	l.chunks = append(l.chunks, nil)
	copy(l.chunks[ci+2:], l.chunks[ci+1:])
	l.chunks[ci+1] = upper
}

// deleteRange removes the structs at list indexes [from, to).
func (l *structList) deleteRange(from, to int) {
	for to > from {
		ci, c := l.chunkOf(to - 1)
		lo := max(from, c.first) - c.first
		hi := to - c.first
		removed := hi - lo
		c.items = append(c.items[:lo], c.items[hi:]...)
		clear(c.items[len(c.items) : len(c.items)+removed])
		for _, later := range l.chunks[ci+1:] {
			later.first -= removed
		}
		l.n -= removed
		to -= removed
		if len(c.items) == 0 {
			l.chunks = append(l.chunks[:ci], l.chunks[ci+1:]...)
			l.chunks[:cap(l.chunks)][len(l.chunks)] = nil
			l.hint = 0
		}
	}
}

// find returns the index of the struct containing clock (yjs findIndexSS): a bisection over
// the chunks by their first clock, then inside the chunk.
func (l *structList) find(clock uint64) (int, bool) {
	if l == nil || l.n == 0 {
		return 0, false
	}
	if last := l.last(); clock >= last.id.Clock+last.len() {
		return 0, false
	} else if clock >= last.id.Clock {
		// The newest struct: while an update is integrated, origins mostly point at the
		// struct added just before.
		return l.n - 1, true
	}
	ci := l.hint
	if ci >= len(l.chunks) || !chunkMayHold(l.chunks, ci, clock) {
		lo, hi := 0, len(l.chunks)-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if l.chunks[mid].items[0].id.Clock <= clock {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		ci = lo
		l.hint = ci
	}
	c := l.chunks[ci]
	i, ok := findIndex(c.items, clock)
	return c.first + i, ok
}

// chunkMayHold reports whether clock lies between the first clock of chunk ci and that of the
// next chunk (a cheap check of the hint before bisecting).
func chunkMayHold(chunks []*structChunk, ci int, clock uint64) bool {
	if chunks[ci].items[0].id.Clock > clock {
		return false
	}
	return ci+1 == len(chunks) || clock < chunks[ci+1].items[0].id.Clock
}

// findIndex is yjs findIndexSS over a sorted run of structs: a pivot guess (clocks are dense)
// and then a binary search.
func findIndex(structs []*item, clock uint64) (int, bool) {
	lo, hi := 0, len(structs)-1
	if hi < 0 {
		return 0, false
	}
	first, last := structs[0], structs[hi]
	if last.id.Clock == clock {
		return hi, true
	}
	if end := last.id.Clock + last.len(); clock >= first.id.Clock && clock < end && end-first.id.Clock > 1 {
		mid := int(float64(clock-first.id.Clock) / float64(end-1-first.id.Clock) * float64(hi))
		if mid >= 0 && mid <= hi {
			if s := structs[mid]; s.id.Clock <= clock && clock < s.id.Clock+s.len() {
				return mid, true
			}
		}
	}
	for lo <= hi {
		mid := (lo + hi) / 2
		s := structs[mid]
		switch {
		case clock < s.id.Clock:
			hi = mid - 1
		case clock >= s.id.Clock+s.len():
			lo = mid + 1
		default:
			return mid, true
		}
	}
	return 0, false
}

// each calls fn for the structs from list index from to the end, in order.
func (l *structList) each(from int, fn func(*item)) {
	if from >= l.len() {
		return
	}
	ci, c := l.chunkOf(from)
	for _, it := range c.items[from-c.first:] {
		fn(it)
	}
	for _, c := range l.chunks[ci+1:] {
		for _, it := range c.items {
			fn(it)
		}
	}
}
