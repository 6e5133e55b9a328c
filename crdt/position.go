package crdt

// cursor caches one list position of a branch: item and the number of visible units before it.
// Local edits tend to happen near the previous one, so walking from the cursor instead of the
// list start keeps index lookups short (the role search markers play in yjs). Any change the
// cursor cannot account for (remote integration, deletion, merging away its item) resets it;
// a local edit sets it again afterwards. Results never depend on the cursor: the walk finds
// the same item a walk from the start would.
type cursor struct {
	item  *item
	index int
}

// findVisible returns the visible item containing list unit u and the number of visible units
// before it. The caller guarantees 0 <= u < b.length.
func (b *branch) findVisible(u int) (*item, int) {
	n, idx := b.cursor.item, b.cursor.index
	if n == nil {
		n, idx = b.start, 0
	}
	if u < idx {
		for n = n.left; n != nil; n = n.left {
			if n.visible() {
				idx -= int(n.length)
				if u >= idx {
					b.cursor = cursor{item: n, index: idx}
					return n, idx
				}
			}
		}
		n, idx = b.start, 0 // unreachable with a consistent cursor; fall back to a full walk
	}
	for ; n != nil; n = n.right {
		if n.visible() {
			if u < idx+int(n.length) {
				b.cursor = cursor{item: n, index: idx}
				return n, idx
			}
			idx += int(n.length)
		}
	}
	return nil, 0
}

// itemEndingAt returns the visible item whose last unit is index-1, splitting one that extends
// further (the left neighbour for an insertion at index > 0).
func (b *branch) itemEndingAt(tx *Transaction, index int) *item {
	n, idx := b.findVisible(index - 1)
	if off := index - idx; off < int(n.length) {
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

// setCursor remembers that item n has index visible units before it.
func (b *branch) setCursor(n *item, index int) {
	if n != nil {
		b.cursor = cursor{item: n, index: index}
	}
}
