package crdt

import "github.com/meridian-sync/meridian/crdt/internal/update"

// cleanupFormattingGap deletes format markers between start and curr that no longer change
// anything, and returns how many it removed (yjs cleanupFormattingGap).
func (tx *Transaction) cleanupFormattingGap(start, curr *item, startAttrs, currAttrs *attrs) int {
	end := start
	endFormats := map[string]*update.ContentFormat{}
	for end != nil && (!end.countable() || end.deleted()) {
		if f, ok := isFormat(end); ok && !end.deleted() {
			endFormats[f.Key] = f
		}
		end = end.right
	}
	cleanups := 0
	reachedCurr := false
	for start != end && start != nil {
		if curr == start {
			reachedCurr = true
		}
		if f, ok := isFormat(start); ok && !start.deleted() {
			startVal := startAttrs.getOrNull(f.Key)
			// === as in yjs, not equalAttr: an equal object from another marker is not redundant
			if endFormats[f.Key] != f || strictEqual(startVal, f.Value) {
				start.delete(tx)
				cleanups++
				if !reachedCurr && strictEqual(currAttrs.getOrNull(f.Key), f.Value) && !strictEqual(startVal, f.Value) {
					if startVal == nil {
						currAttrs.del(f.Key)
					} else {
						currAttrs.set(f.Key, startVal)
					}
				}
			}
			if !reachedCurr && !start.deleted() {
				currAttrs.applyFormat(f)
			}
		}
		start = start.right
	}
	return cleanups
}

// cleanupContextlessFormattingGap removes duplicate markers around a deleted item without
// knowing the attributes in effect (yjs cleanupContextlessFormattingGap).
func (tx *Transaction) cleanupContextlessFormattingGap(it *item) {
	for it != nil && it.right != nil && (it.right.deleted() || !it.right.countable()) {
		it = it.right
	}
	seen := map[string]bool{}
	for it != nil && (it.deleted() || !it.countable()) {
		if f, ok := isFormat(it); ok && !it.deleted() {
			if seen[f.Key] {
				it.delete(tx)
			} else {
				seen[f.Key] = true
			}
		}
		it = it.left
	}
}

// cleanupTextFormatting removes every redundant marker of a text (yjs cleanupYTextFormatting).
func (tx *Transaction) cleanupTextFormatting(b *branch) int {
	res := 0
	start, end := b.start, b.start
	startAttrs := newAttrs()
	curr := newAttrs()
	for end != nil {
		if !end.deleted() {
			if f, ok := isFormat(end); ok {
				curr.applyFormat(f)
			} else {
				res += tx.cleanupFormattingGap(start, end, startAttrs, curr)
				startAttrs = curr.clone()
				start = end
			}
		}
		end = end.right
	}
	return res
}

// cleanupFormatting runs after a transaction that touched formatted text, in a transaction of
// its own (yjs cleanupYTextAfterTransaction): texts that gained markers get a full cleanup,
// deletions elsewhere a local one.
func (d *Doc) cleanupFormatting(done *Transaction) {
	needFull := map[*branch]bool{}
	var order []*branch
	for _, span := range done.spans {
		if span.after == span.before {
			continue
		}
		for _, it := range d.store.structsInRange(span.client, span.before, span.after) {
			if !it.isGC() && !it.deleted() && isFormatItem(it) && !needFull[it.parent()] {
				needFull[it.parent()] = true
				order = append(order, it.parent())
			}
		}
	}
	d.transact(nil, true, func(tx *Transaction) {
		for _, client := range sortedClientsDesc(rangeCounts(done.deleteSet)) {
			for _, r := range done.deleteSet.Clients[client] {
				for _, it := range d.store.structsInRange(client, r.Clock, r.Clock+r.Len) {
					if it.isGC() || !it.parent().hasFormatting || needFull[it.parent()] {
						continue
					}
					if isFormatItem(it) {
						needFull[it.parent()] = true
						order = append(order, it.parent())
					} else {
						tx.cleanupContextlessFormattingGap(it)
					}
				}
			}
		}
		for _, b := range order {
			tx.cleanupTextFormatting(b)
		}
	})
}

// structsInRange returns the structs overlapping [from, to) of client, without splitting.
func (s *store) structsInRange(client, from, to uint64) []*item {
	sl := s.structs(client)
	i, ok := sl.find(from)
	if !ok {
		return nil
	}
	var out []*item
	for ; i < sl.len() && sl.at(i).id.Clock < to; i++ {
		out = append(out, sl.at(i))
	}
	return out
}
