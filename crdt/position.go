package crdt

// findVisible returns the visible item containing list unit u and the number of visible units
// before it. The caller guarantees 0 <= u < b.length.
//
// It walks from the search marker nearest to u (or from the list start) and then remembers
// where it arrived, see markers.go. Results never depend on the markers: the walk finds the
// same item a walk from the start would.
func (b *branch) findVisible(u int) (*item, int) {
	ms := b.searchMarkers()
	slot := ms.nearest(u)
	n, idx := b.start, 0
	if slot >= 0 {
		n, idx = ms.list[slot].item, ms.list[slot].index
	}
	if u < idx {
		for n = n.left; n != nil; n = n.left {
			if n.visible() {
				idx -= int(n.len())
				if u >= idx {
					ms.remember(slot, n, idx, u, b.length)
					return n, idx
				}
			}
		}
		n, idx = b.start, 0 // unreachable with consistent markers; fall back to a full walk
	}
	for ; n != nil; n = n.right {
		if n.visible() {
			if u < idx+int(n.len()) {
				ms.remember(slot, n, idx, u, b.length)
				return n, idx
			}
			idx += int(n.len())
		}
	}
	return nil, 0
}

// itemEndingAt returns the visible item whose last unit is index-1, splitting one that extends
// further (the left neighbour for an insertion at index > 0).
func (b *branch) itemEndingAt(tx *Transaction, index int) *item {
	n, idx := b.findVisible(index - 1)
	if off := index - idx; off < int(n.len()) {
		tx.doc.store.cleanStart(tx, ID{Client: n.id.Client, Clock: n.id.Clock + uint64(off)})
	}
	return n
}

// itemStartingAt returns the visible item whose first unit is index, splitting the item that
// contains it (the first item a deletion at index touches). index < b.length.
func (b *branch) itemStartingAt(tx *Transaction, index int) *item {
	n, idx := b.findVisible(index)
	if off := index - idx; off > 0 {
		n = tx.doc.store.cleanStart(tx, ID{Client: n.id.Client, Clock: n.id.Clock + uint64(off)})
	}
	return n
}

// setCursor remembers that item n has index visible units before it, in the marker the last
// lookup used: the next keystroke is most likely right there.
func (b *branch) setCursor(n *item, index int) {
	if n != nil {
		b.searchMarkers().setLast(n, index)
	}
}

// searchMarkers returns the branch's markers, allocating them on the first lookup: most
// branches (map-like types, small XML nodes) never need one.
func (b *branch) searchMarkers() *markerSet {
	if b.markers == nil {
		b.markers = &markerSet{last: -1}
	}
	return b.markers
}

// invalidateMarkers forgets every marker after a change the markers cannot account for
// (remote integration, deletion outside a local list edit, GC of the list, formatting).
// During a local list edit (beginLocalEdit) the edit adjusts them itself instead.
func (b *branch) invalidateMarkers() {
	if ms := b.markers; ms != nil && !ms.localEdit {
		ms.clear()
	}
}

// beginLocalEdit starts a local insertion or deletion at list unit index whose effect on the
// markers endLocalEdit computes from the change of length; it returns that length.
func (b *branch) beginLocalEdit() int {
	b.searchMarkers().localEdit = true
	return b.length
}

// endLocalEdit shifts the markers past index by the change of the list's length since
// beginLocalEdit returned lengthBefore.
func (b *branch) endLocalEdit(index, lengthBefore int) {
	ms := b.markers
	ms.localEdit = false
	if delta := b.length - lengthBefore; delta >= 0 {
		ms.shiftForInsert(index, delta)
	} else {
		ms.shiftForDelete(index, -delta)
	}
}
