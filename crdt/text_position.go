package crdt

import (
	"fmt"

	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// textPos is a position between two items of a text with the attributes in effect there
// (yjs ItemTextListPosition).
type textPos struct {
	left, right *item
	index       int
	attrs       *attrs
}

// forward moves the position over right.
func (p *textPos) forward() {
	r := p.right
	if f, ok := r.content.(*update.ContentFormat); ok {
		if !r.deleted() {
			p.attrs.applyFormat(f)
		}
	} else if !r.deleted() {
		p.index += int(r.len())
	}
	p.left, p.right = r, r.right
}

// findTextPosition returns the position after the index-th unit (yjs findPosition). Texts
// that never held formatting use the cached cursor; otherwise the attributes must be collected
// from the start.
func (tx *Transaction) findTextPosition(b *branch, index int) *textPos {
	if !b.hasFormatting {
		if index == 0 {
			return &textPos{right: b.start, attrs: newAttrs()}
		}
		left := b.itemEndingAt(tx, index)
		return &textPos{left: left, right: left.right, index: index, attrs: newAttrs()}
	}
	p := &textPos{right: b.start, attrs: newAttrs()}
	tx.advance(p, index)
	return p
}

// advance moves p forward over count visible units, splitting the item where it ends (yjs
// findNextPosition).
func (tx *Transaction) advance(p *textPos, count int) {
	for p.right != nil && count > 0 {
		r := p.right
		if f, ok := r.content.(*update.ContentFormat); ok {
			if !r.deleted() {
				p.attrs.applyFormat(f)
			}
		} else if !r.deleted() {
			if count < int(r.len()) {
				tx.doc.store.cleanStart(tx, ID{Client: r.id.Client, Clock: r.id.Clock + uint64(count)})
			}
			p.index += int(r.len())
			count -= int(r.len())
		}
		p.left, p.right = r, r.right
	}
}

// isFormat reports whether it holds a format marker.
func isFormat(it *item) (*update.ContentFormat, bool) {
	f, ok := it.content.(*update.ContentFormat)
	return f, ok
}

// Plain text: a text that never held a format marker has no attributes to inherit, open or
// close, so yjs's insertText and deleteText reduce to the list operations below. They find
// their position through the cached cursor and allocate nothing beyond the new item, which
// matters because a keystroke is the most common edit there is. They produce the same items,
// origins and splits as the general path.

// insertPlainText inserts c at index of a text without formatting (insertText with no
// attributes): after the visible unit index-1 and any deleted items that follow it, as
// minimizeAttributeChanges would move the position.
func (tx *Transaction) insertPlainText(b *branch, index int, c update.Content) {
	var left *item
	right := b.start
	if index > 0 {
		left = b.itemEndingAt(tx, index)
		right = left.right
	}
	for right != nil && right.deleted() {
		left, right = right, right.right
	}
	lengthBefore := b.beginLocalEdit()
	it := tx.insertItem(b, left, right, c)
	b.endLocalEdit(index, lengthBefore)
	if it.visible() {
		b.setCursor(it, index)
	}
}

// deletePlainText deletes length units from index of a text without formatting (deleteText:
// only strings, embeds and nested types count; there are no markers to clean up).
func (tx *Transaction) deletePlainText(b *branch, index, length int) {
	n := b.itemStartingAt(tx, index)
	first := n
	lengthBefore := b.beginLocalEdit()
	for ; length > 0 && n != nil; n = n.right {
		if n.deleted() {
			continue
		}
		switch n.content.(type) {
		case *update.ContentString, *update.ContentEmbed, *update.ContentType:
		default:
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
}

// insertPlain and deletePlain are Text.Insert and Text.Delete for a plain text that is part of
// a document. They call transact themselves so that their closures stay on the stack:
// branch.edit keeps the closures it gets for types not yet in a document, which sends every
// closure given to it to the heap, once per keystroke.
func (b *branch) insertPlain(index int, c update.Content) error {
	var err error
	b.doc.transact(nil, true, func(tx *Transaction) {
		if index < 0 || index > b.length {
			err = fmt.Errorf("%w: insert at %d, length %d", ErrIndexOutOfRange, index, b.length)
			return
		}
		tx.insertPlainText(b, index, c)
	})
	return err
}

func (b *branch) deletePlain(index, length int) error {
	var err error
	b.doc.transact(nil, true, func(tx *Transaction) {
		if index < 0 || length < 0 || index+length > b.length {
			err = fmt.Errorf("%w: delete %d..%d, length %d", ErrIndexOutOfRange, index, index+length, b.length)
			return
		}
		if length > 0 {
			tx.deletePlainText(b, index, length)
		}
	})
	return err
}
