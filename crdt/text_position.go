package crdt

import "github.com/meridian-sync/meridian/crdt/internal/update"

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
		p.index += int(r.length)
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
			if count < int(r.length) {
				tx.doc.store.cleanStart(tx, ID{Client: r.id.Client, Clock: r.id.Clock + uint64(count)})
			}
			p.index += int(r.length)
			count -= int(r.length)
		}
		p.left, p.right = r, r.right
	}
}

// isFormat reports whether it holds a format marker.
func isFormat(it *item) (*update.ContentFormat, bool) {
	f, ok := it.content.(*update.ContentFormat)
	return f, ok
}
