package crdt

import (
	"fmt"

	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// insertAfter inserts values after left (nil: at the start) in b's list: runs of Any values
// share one ContentAny item, every other value gets its own item (yjs
// typeListInsertGenericsAfter). It returns the last inserted item.
func (tx *Transaction) insertAfter(b *branch, left *item, values []prepared) *item {
	right := b.start
	if left != nil {
		right = left.right
	}
	var run []any
	flush := func() {
		if len(run) > 0 {
			left = tx.insertItem(b, left, right, &update.ContentAny{Values: run})
			run = nil
		}
	}
	for _, v := range values {
		if v.kind == valueAny {
			run = append(run, v.value)
			continue
		}
		flush()
		left = tx.insertItem(b, left, right, v.content())
	}
	flush()
	return left
}

// insertItem creates a local item between left and right and integrates it.
func (tx *Transaction) insertItem(b *branch, left, right *item, c update.Content) *item {
	it := newItem(tx.nextID(), left, right, &b.list, c)
	tx.integrate(it, 0, true)
	return it
}

// listInsert inserts values at index (yjs typeListInsertGenerics): the left neighbour is the
// visible item ending at index, so deleted items right after it stay to the right.
func (tx *Transaction) listInsert(b *branch, index int, values []prepared) error {
	if index < 0 || index > b.length {
		return fmt.Errorf("%w: insert at %d, length %d", ErrIndexOutOfRange, index, b.length)
	}
	var left *item
	if index > 0 {
		left = b.itemEndingAt(tx, index)
	}
	lengthBefore := b.beginLocalEdit()
	last := tx.insertAfter(b, left, values)
	b.endLocalEdit(index, lengthBefore)
	if last != nil && last.visible() {
		// every value is one list unit, so the last item starts len(values)-its length later
		b.setCursor(last, index+len(values)-int(last.len()))
	}
	return nil
}

// listPush appends values after the last item, deleted or not (yjs typeListPushGenerics).
func (tx *Transaction) listPush(b *branch, values []prepared) {
	last := b.searchMarkers().furthest()
	if last == nil {
		last = b.start
	}
	for last != nil && last.right != nil {
		last = last.right
	}
	lengthBefore := b.beginLocalEdit()
	tx.insertAfter(b, last, values)
	b.endLocalEdit(lengthBefore, lengthBefore)
}

// listDelete deletes length units from index (yjs typeListDelete).
func (tx *Transaction) listDelete(b *branch, index, length int) error {
	if index < 0 || length < 0 || index+length > b.length {
		return fmt.Errorf("%w: delete %d..%d, length %d", ErrIndexOutOfRange, index, index+length, b.length)
	}
	if length == 0 {
		return nil
	}
	n := b.itemStartingAt(tx, index)
	first := n
	lengthBefore := b.beginLocalEdit()
	for ; length > 0 && n != nil; n = n.right {
		if n.deleted() {
			continue
		}
		if length < int(n.len()) {
			tx.doc.store.cleanStart(tx, ID{Client: n.id.Client, Clock: n.id.Clock + uint64(length)})
		}
		length -= int(n.len())
		n.delete(tx)
	}
	b.endLocalEdit(index, lengthBefore)
	b.setCursor(first, index)
	return nil
}
