package update

// reader is one update's struct cursor inside Merge, with the step at which it
// last moved (initially minus its input index, so earlier inputs win ties).
type reader struct {
	cursor
	client, clock uint64 // cached ID of curr(), so heap comparisons stay in one cache line
	moved         int64
}

// rekey refreshes the cached ID after the cursor moved; it reports false at the end.
func (r *reader) rekey() bool {
	s := r.curr()
	if s == nil {
		return false
	}
	r.client, r.clock = s.ID.Client, s.ID.Clock
	return true
}

// readerHeap orders readers exactly as Yjs's per-step stable sort would (see Merge).
type readerHeap []*reader

func (h readerHeap) Len() int { return len(h) }

func (h readerHeap) Less(i, j int) bool {
	a, b := h[i], h[j]
	if a.client != b.client {
		return a.client > b.client
	}
	if a.clock != b.clock {
		return a.clock < b.clock
	}
	return a.moved > b.moved
}

func (h readerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

func (h *readerHeap) Push(x any) { *h = append(*h, x.(*reader)) }

func (h *readerHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}
