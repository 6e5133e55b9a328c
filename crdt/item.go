package crdt

import (
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// Item flags, kept in one byte so an item stays compact (yjs keeps the same bits in Item.info).
const (
	flagKeep        uint8 = 1 << iota // never garbage collect (reserved for snapshots/undo)
	flagCountable                     // content counts towards list length and indexes
	flagDeleted                       // item is deleted (GC structs always are)
	flagGC                            // this struct is a GC tombstone, not a positioned item
	flagOrigin                        // origin is set
	flagRightOrigin                   // rightOrigin is set
	flagParentSub                     // parentSub (map key) is set
)

// item is one struct of the store: either a positioned Item (YATA element) or a GC tombstone
// (flagGC). Using one type for both keeps the per-client slices homogeneous and avoids
// interface dispatch on the hot paths (binary search, merging, encoding).
type item struct {
	id          ID
	length      uint64
	origin      ID // valid when flagOrigin
	rightOrigin ID // valid when flagRightOrigin
	left, right *item
	parent      *branch // nil for GC structs
	parentSub   *string // map key, set with flagParentSub; a pointer keeps list items small
	content     update.Content
	flags       uint8
}

func (it *item) has(f uint8) bool { return it.flags&f != 0 }
func (it *item) set(f uint8, on bool) {
	if on {
		it.flags |= f
	} else {
		it.flags &^= f
	}
}

func (it *item) isGC() bool      { return it.flags&flagGC != 0 }
func (it *item) deleted() bool   { return it.flags&flagDeleted != 0 }
func (it *item) countable() bool { return it.flags&flagCountable != 0 }

// visible reports whether the item contributes to its parent's list length.
func (it *item) visible() bool { return it.flags&(flagCountable|flagDeleted) == flagCountable }

func (it *item) hasParentSub() bool { return it.flags&flagParentSub != 0 }

// key is the map key of an item of a map chain ("" for list items).
func (it *item) key() string {
	if it.parentSub == nil {
		return ""
	}
	return *it.parentSub
}

// lastID is the id of the item's last unit; new items inserted right after it use it as origin.
func (it *item) lastID() ID {
	return ID{Client: it.id.Client, Clock: it.id.Clock + it.length - 1}
}

// newItem builds a local item with the given neighbours; origins are derived from them as yjs does.
func newItem(id ID, left, right *item, parent *branch, parentSub string, hasSub bool, c update.Content) *item {
	it := &item{id: id, length: c.Len(), left: left, right: right, parent: parent, content: c}
	if c.Countable() {
		it.flags |= flagCountable
	}
	if left != nil {
		it.origin = left.lastID()
		it.flags |= flagOrigin
	}
	if right != nil {
		it.rightOrigin = right.id
		it.flags |= flagRightOrigin
	}
	if hasSub {
		key := parentSub // declared here so that only map items pay for a heap copy
		it.parentSub = &key
		it.flags |= flagParentSub
	}
	return it
}

func newGC(id ID, length uint64) *item {
	return &item{id: id, length: length, flags: flagGC | flagDeleted}
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
		length:      it.length - diff,
		origin:      ID{Client: it.id.Client, Clock: it.id.Clock + diff - 1},
		rightOrigin: it.rightOrigin,
		left:        it,
		right:       it.right,
		parent:      it.parent,
		parentSub:   it.parentSub,
		content:     it.content.Splice(diff),
		flags:       it.flags | flagOrigin,
	}
	it.right = r
	if r.right != nil {
		r.right.left = r
	}
	tx.mergeStructs = append(tx.mergeStructs, r)
	if r.hasParentSub() && r.right == nil {
		r.parent.mapItems[r.key()] = r
	}
	it.length = diff
	return r
}

// mergeWith appends right to it when yjs would (Item.mergeWith / GC.mergeWith); the caller
// removes right from the store.
func (it *item) mergeWith(right *item) bool {
	if !it.canMergeWith(right) {
		return false
	}
	if it.isGC() {
		it.length += right.length
		return true
	}
	if !it.content.MergeWith(right.content) {
		return false
	}
	if right.has(flagKeep) {
		it.flags |= flagKeep
	}
	if ms := it.parent.markers; ms != nil {
		ms.moveMerged(it, right) // right is forgotten: its markers move onto the merged item
	}
	it.right = right.right
	if it.right != nil {
		it.right.left = it
	}
	it.length += right.length
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
		it.id.Clock+it.length == right.id.Clock &&
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
	p := it.parent
	if it.countable() && !it.hasParentSub() {
		p.length -= int(it.length)
	}
	p.invalidateMarkers()
	it.flags |= flagDeleted
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
		} else if n.id.Clock < tx.beforeState[n.id.Client] {
			tx.mergeStructs = append(tx.mergeStructs, n)
		}
	}
	for _, key := range b.mapOrder {
		n := b.mapItems[key]
		if !n.deleted() {
			n.delete(tx)
		} else if n.id.Clock < tx.beforeState[n.id.Client] {
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
		rs[n-1].Len += it.length
		return
	}
	tx.deleteSet.Add(it.id.Client, it.id.Clock, it.length)
}
