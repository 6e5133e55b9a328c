package crdt

import (
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// Item flags. They live in the top byte of the item's length word (lenFlags): lengths count
// clocks, which lib0 caps at 2^53 (decoders reject more, and no client edits that much), so
// the byte is free, and a flags byte of its own would cost 8 bytes of padding per item.
const (
	flagKeep        uint64 = 1 << (lengthBits + iota) // never garbage collect (reserved for snapshots/undo)
	flagCountable                                     // content counts towards list length and indexes
	flagDeleted                                       // item is deleted (GC structs always are)
	flagGC                                            // this struct is a GC tombstone, not a positioned item
	flagOrigin                                        // origin is set
	flagRightOrigin                                   // rightOrigin is set
)

const (
	lengthBits = 56
	lengthMask = 1<<lengthBits - 1
)

// item is one struct of the store: either a positioned Item (YATA element) or a GC tombstone
// (flagGC). Using one type for both keeps the per-client slices homogeneous and avoids
// interface dispatch on the hot paths (binary search, merging, encoding).
//
// A loaded document is mostly items, so their size is most of its memory: 96 bytes, with the
// flags inside lenFlags and the parent and map key behind one shared place pointer.
type item struct {
	id          ID
	origin      ID // valid when flagOrigin
	rightOrigin ID // valid when flagRightOrigin
	left, right *item
	place       *place // parent type and map key; nil for GC structs
	content     update.Content
	lenFlags    uint64 // the length (clocks covered) in the low lengthBits, the flags above
}

func (it *item) has(f uint64) bool { return it.lenFlags&f != 0 }
func (it *item) set(f uint64, on bool) {
	if on {
		it.lenFlags |= f
	} else {
		it.lenFlags &^= f
	}
}

// len is the number of clocks the struct covers.
func (it *item) len() uint64 { return it.lenFlags & lengthMask }

// setLen changes the length and keeps the flags.
func (it *item) setLen(n uint64) {
	if n > lengthMask {
		// Unreachable: decoders reject clocks beyond 2^53 and local edits cannot get there.
		panic("crdt: struct length beyond 2^56 clocks")
	}
	it.lenFlags = it.lenFlags&^lengthMask | n
}

func (it *item) isGC() bool      { return it.lenFlags&flagGC != 0 }
func (it *item) deleted() bool   { return it.lenFlags&flagDeleted != 0 }
func (it *item) countable() bool { return it.lenFlags&flagCountable != 0 }

// visible reports whether the item contributes to its parent's list length.
func (it *item) visible() bool { return it.lenFlags&(flagCountable|flagDeleted) == flagCountable }

// parent is the type the item belongs to (nil for GC structs).
func (it *item) parent() *branch {
	if it.place == nil {
		return nil
	}
	return it.place.parent
}

// hasParentSub reports whether the item is an entry of a map key's chain (yjs parentSub set).
func (it *item) hasParentSub() bool { return it.place != nil && it.place.isKey }

// key is the map key of an item of a map chain ("" for list items).
func (it *item) key() string {
	if it.place == nil {
		return ""
	}
	return it.place.key
}

// lastID is the id of the item's last unit; new items inserted right after it use it as origin.
func (it *item) lastID() ID {
	return ID{Client: it.id.Client, Clock: it.id.Clock + it.len() - 1}
}

// newItem builds a local item with the given neighbours; origins are derived from them as yjs does.
func newItem(id ID, left, right *item, pl *place, c update.Content) *item {
	it := &item{id: id, left: left, right: right, place: pl, content: c}
	it.setLen(c.Len())
	if c.Countable() {
		it.lenFlags |= flagCountable
	}
	if left != nil {
		it.origin = left.lastID()
		it.lenFlags |= flagOrigin
	}
	if right != nil {
		it.rightOrigin = right.id
		it.lenFlags |= flagRightOrigin
	}
	return it
}

func newGC(id ID, length uint64) *item {
	it := &item{id: id, lenFlags: flagGC | flagDeleted}
	it.setLen(length)
	return it
}

// next returns the next non-deleted item to the right.
func (it *item) next() *item {
	n := it.right
	for n != nil && n.deleted() {
		n = n.right
	}
	return n
}

// prev returns the next non-deleted item to the left.
func (it *item) prev() *item {
	n := it.left
	for n != nil && n.deleted() {
		n = n.left
	}
	return n
}

// split cuts the item at unit offset diff (0 < diff < length) and returns the new right part,
// linked right after it (yjs splitItem). The right part's origin is the left part's last unit;
// the left part keeps its rightOrigin. The caller inserts the result into the store.
func (it *item) split(tx *Transaction, diff uint64) *item {
	r := &item{
		id:          ID{Client: it.id.Client, Clock: it.id.Clock + diff},
		origin:      ID{Client: it.id.Client, Clock: it.id.Clock + diff - 1},
		rightOrigin: it.rightOrigin,
		left:        it,
		right:       it.right,
		place:       it.place,
		content:     spliceContent(it.content, diff),
		lenFlags:    it.lenFlags&^lengthMask | flagOrigin | (it.len() - diff),
	}
	it.right = r
	if r.right != nil {
		r.right.left = r
	}
	tx.mergeStructs = append(tx.mergeStructs, r)
	if r.hasParentSub() && r.right == nil {
		r.place.parent.mapItems[r.key()] = r
	}
	it.setLen(diff)
	return r
}

// mergeWith appends right to it when yjs would (Item.mergeWith / GC.mergeWith); the caller
// removes right from the store. Text grows in runs, the buffers of the growing text runs.
func (it *item) mergeWith(right *item, runs *update.StringRuns) bool {
	if !it.canMergeWith(right) {
		return false
	}
	if it.isGC() {
		it.setLen(it.len() + right.len())
		return true
	}
	switch c := it.content.(type) {
	case *update.ContentString:
		runs.Append(c, right.content.(*update.ContentString)) // canMergeWith checked the kind
	case *update.ContentDeleted:
		// Both hold the shared collected content: the length set below is all there is to merge.
	default:
		if !c.MergeWith(right.content) {
			return false
		}
	}
	if right.has(flagKeep) {
		it.lenFlags |= flagKeep
	}
	if ms := it.place.parent.markers; ms != nil {
		ms.moveMerged(it, right) // right is forgotten: its markers move onto the merged item
	}
	it.right = right.right
	if it.right != nil {
		it.right.left = it
	}
	it.setLen(it.len() + right.len())
	return true
}

// canMergeWith reports whether mergeWith would absorb right, without changing anything (yjs
// Item.mergeWith's conditions). If a can absorb b and b can absorb c, then a+b can absorb c: runs
// can be merged left to right (see tryMergeWithLefts).
func (it *item) canMergeWith(right *item) bool {
	if it.isGC() || right.isGC() {
		return it.isGC() && right.isGC()
	}
	return right.has(flagOrigin) && right.origin == it.lastID() &&
		it.right == right &&
		it.has(flagRightOrigin) == right.has(flagRightOrigin) &&
		(!it.has(flagRightOrigin) || it.rightOrigin == right.rightOrigin) &&
		it.id.Client == right.id.Client &&
		it.id.Clock+it.len() == right.id.Clock &&
		it.deleted() == right.deleted() &&
		it.content.Ref() == right.content.Ref() &&
		mergeableContent(it.content.Ref())
}

// mergeableContent: the content kinds whose runs merge (yjs Content*.mergeWith returning true).
func mergeableContent(ref uint8) bool {
	switch ref {
	case update.RefDeleted, update.RefJSON, update.RefString, update.RefAny:
		return true
	}
	return false
}

// markDeleted deletes the item inside tx (yjs Item.delete): parent length, delete set, change
// tracking and the content's delete hook.
func (it *item) delete(tx *Transaction) {
	if it.deleted() {
		return
	}
	p := it.place.parent
	if it.countable() && !it.hasParentSub() {
		p.length -= int(it.len())
	}
	p.invalidateMarkers()
	it.lenFlags |= flagDeleted
	tx.recordDeleted(it)
	tx.addChanged(p, it.key(), it.hasParentSub())
	switch c := it.content.(type) {
	case *update.ContentType:
		deleteTypeContent(tx, c.Type.(*branch))
	case *update.ContentDoc:
		tx.subdocsRemoved++
	}
}

// deleteTypeContent deletes every live child of a deleted nested type (yjs ContentType.delete).
func deleteTypeContent(tx *Transaction, b *branch) {
	for n := b.start; n != nil; n = n.right {
		if !n.deleted() {
			n.delete(tx)
		} else if n.id.Clock < tx.beforeClock(n.id.Client) {
			tx.mergeStructs = append(tx.mergeStructs, n)
		}
	}
	for _, key := range b.mapOrder {
		n := b.mapItems[key]
		if !n.deleted() {
			n.delete(tx)
		} else if n.id.Clock < tx.beforeClock(n.id.Client) {
			tx.mergeStructs = append(tx.mergeStructs, n)
		}
	}
	delete(tx.changed, b)
}

// recordDeleted adds it to the transaction's delete set. Deleting a run of structs (a load's
// delete set, a range delete) records them in clock order, so extending the previous range
// instead of appending one per struct keeps the set small; the ranges cover the same clocks,
// and SortAndMerge would have joined them anyway.
func (tx *Transaction) recordDeleted(it *item) {
	rs := tx.deleteSet.Clients[it.id.Client]
	if n := len(rs); n > 0 && rs[n-1].End() == it.id.Clock {
		rs[n-1].Len += it.len()
		return
	}
	tx.deleteSet.Add(it.id.Client, it.id.Clock, it.len())
}
