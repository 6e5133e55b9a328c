package crdt

// maxMarkers bounds the search markers of one list. Yjs keeps up to 80; traces of real editing
// alternate between a handful of places (a paragraph being written, a typo fixed above it), and
// a scan of 16 markers costs less than the item walk that more of them would save.
const maxMarkers = 16

// marker caches one list position: item and the number of visible units before it. A marker
// stays valid when its item is deleted or split (the units before it do not change); it is
// moved when its item is merged away, shifted by local edits before it, and every marker is
// forgotten on any other change (remote integration, GC of the list, formatting).
type marker struct {
	item  *item
	index int
	used  uint32 // the markerSet tick of its last use; the least recently used is replaced
}

// markerSet holds a list's search markers (yjs's search markers play the same role). Index
// lookups walk from the nearest marker, so edits that jump between a few places stay short
// walks instead of a walk from one cursor across everything in between.
type markerSet struct {
	list  [maxMarkers]marker
	count int
	last  int // the slot the last lookup or edit wrote; -1 if none
	tick  uint32
	// localEdit is set while a local insertion or deletion runs: it adjusts the markers itself
	// (branch.endLocalEdit), so integration and deletion must not forget them.
	localEdit bool
}

func (ms *markerSet) clear() {
	ms.count, ms.last = 0, -1
}

// nearest returns the slot of the marker closest to unit u, or -1 when the list start (u
// units away) is at least as close.
func (ms *markerSet) nearest(u int) int {
	best, bestDist := -1, u
	for i := 0; i < ms.count; i++ {
		d := ms.list[i].index - u
		if d < 0 {
			d = -d
		}
		if d < bestDist {
			best, bestDist = i, d
		}
	}
	return best
}

// remember records that a lookup of unit u found item n with index units before it, having
// walked from slot (-1: the list start). A marker that was near u moves there; a lookup that
// came from far away gets a marker of its own, so the place it left keeps one too.
func (ms *markerSet) remember(slot int, n *item, index, u, length int) {
	if slot >= 0 {
		d := ms.list[slot].index - u
		if d < 0 {
			d = -d
		}
		if d <= length/maxMarkers {
			ms.write(slot, n, index)
			return
		}
	}
	ms.add(n, index)
}

// setLast moves the marker the last lookup wrote (or a new one) to item n at index.
func (ms *markerSet) setLast(n *item, index int) {
	if ms.last >= 0 {
		ms.write(ms.last, n, index)
		return
	}
	ms.add(n, index)
}

// add stores a new marker, replacing the least recently used one when all slots are taken.
func (ms *markerSet) add(n *item, index int) {
	slot := ms.count
	if slot < maxMarkers {
		ms.count++
	} else {
		slot = 0
		for i := 1; i < maxMarkers; i++ {
			if ms.list[i].used < ms.list[slot].used {
				slot = i
			}
		}
	}
	ms.write(slot, n, index)
}

func (ms *markerSet) write(slot int, n *item, index int) {
	ms.tick++
	if ms.tick == 0 { // wrapped: restart the ages so that least recently used stays meaningful
		for i := 0; i < ms.count; i++ {
			ms.list[i].used = 0
		}
		ms.tick = 1
	}
	ms.list[slot] = marker{item: n, index: index, used: ms.tick}
	ms.last = slot
}

// drop removes the marker in slot, moving the last marker into its place.
func (ms *markerSet) drop(slot int) {
	end := ms.count - 1
	ms.list[slot] = ms.list[end]
	ms.list[end] = marker{}
	ms.count = end
	switch ms.last {
	case slot:
		ms.last = -1
	case end:
		ms.last = slot
	}
}

// shiftForInsert accounts for delta visible units inserted at unit index. A marker at exactly
// index is after the new units when its item is visible (it starts at unit index, and an
// insertion goes before the first visible item there). A deleted item there may lie on either
// side of the insertion, so its marker is dropped.
func (ms *markerSet) shiftForInsert(index, delta int) {
	for i := 0; i < ms.count; i++ {
		m := &ms.list[i]
		switch {
		case m.index > index:
			m.index += delta
		case m.index == index:
			if !m.item.visible() {
				ms.drop(i)
				i--
				continue
			}
			m.index += delta
		}
	}
}

// shiftForDelete accounts for removed visible units deleted from unit index on. Markers before
// index keep their place; a marker inside the deleted range now has exactly index units before it.
func (ms *markerSet) shiftForDelete(index, removed int) {
	for i := 0; i < ms.count; i++ {
		if m := &ms.list[i]; m.index > index {
			m.index = max(index, m.index-removed)
		}
	}
}

// moveMerged moves the markers on right onto left, into which right is being merged (before
// left's length grows).
func (ms *markerSet) moveMerged(left, right *item) {
	for i := 0; i < ms.count; i++ {
		if m := &ms.list[i]; m.item == right {
			m.item = left
			if left.visible() {
				m.index -= int(left.len())
			}
		}
	}
}

// furthest returns the item of the marker with the most units before it (nil if none): the
// closest known place to the end of the list.
func (ms *markerSet) furthest() *item {
	var best *item
	bestIndex := -1
	for i := 0; i < ms.count; i++ {
		if m := ms.list[i]; m.index > bestIndex {
			best, bestIndex = m.item, m.index
		}
	}
	return best
}
