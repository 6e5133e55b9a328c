package crdt

import (
	"github.com/meridian-sync/meridian/crdt/internal/lib0"
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// minimizeAttributeChanges skips deleted items and format markers that already say what we
// want, so an insertion lands after them (yjs minimizeAttributeChanges).
func minimizeAttributeChanges(p *textPos, want *attrs) {
	for p.right != nil {
		r := p.right
		if !r.deleted() {
			f, ok := isFormat(r)
			if !ok || !equalAttr(want.getOrNull(f.Key), f.Value) {
				return
			}
		}
		p.forward()
	}
}

// insertAttributes opens every attribute of want that differs from the current ones and
// returns the values to restore afterwards (yjs insertAttributes).
func (tx *Transaction) insertAttributes(b *branch, p *textPos, want *attrs) *attrs {
	negated := newAttrs()
	for _, k := range want.keys {
		v := want.vals[k]
		cur := p.attrs.getOrNull(k)
		if equalAttr(cur, v) {
			continue
		}
		negated.set(k, cur)
		p.right = tx.insertItem(b, p.left, p.right, &update.ContentFormat{Key: k, Value: v})
		p.forward()
	}
	return negated
}

// insertNegatedAttributes closes the attributes opened for an insertion, reusing markers that
// already follow (yjs insertNegatedAttributes).
func (tx *Transaction) insertNegatedAttributes(b *branch, p *textPos, negated *attrs) {
	for p.right != nil {
		r := p.right
		if !r.deleted() {
			f, ok := isFormat(r)
			if !ok {
				break
			}
			v, has := negated.get(f.Key)
			if !has {
				v = lib0.Undefined // yjs compares with `negatedAttributes.get(key)`
			}
			if !equalAttr(v, f.Value) {
				break
			}
			negated.del(f.Key)
		}
		p.forward()
	}
	for _, k := range negated.keys {
		p.right = tx.insertItem(b, p.left, p.right, &update.ContentFormat{Key: k, Value: negated.vals[k]})
		p.forward()
	}
}

// insertText inserts a string, embed or nested type at p with the given attributes
// (yjs insertText).
func (tx *Transaction) insertText(b *branch, p *textPos, c update.Content, want *attrs) {
	for _, k := range p.attrs.keys {
		if _, ok := want.get(k); !ok {
			want.set(k, nil)
		}
	}
	minimizeAttributeChanges(p, want)
	negated := tx.insertAttributes(b, p, want)
	index := p.index
	it := tx.insertItem(b, p.left, p.right, c)
	p.right = it
	p.index = index
	p.forward()
	if !b.hasFormatting && it.visible() {
		b.setCursor(it, index)
	}
	tx.insertNegatedAttributes(b, p, negated)
}

// formatText applies attributes to length units from p (yjs formatText).
func (tx *Transaction) formatText(b *branch, p *textPos, length int, want *attrs) {
	minimizeAttributeChanges(p, want)
	negated := tx.insertAttributes(b, p, want)
loop:
	for p.right != nil && (length > 0 || (negated.len() > 0 && (p.right.deleted() || isFormatItem(p.right)))) {
		r := p.right
		if !r.deleted() {
			if f, ok := isFormat(r); ok {
				if v, has := want.get(f.Key); has {
					if equalAttr(v, f.Value) {
						negated.del(f.Key)
					} else {
						if length == 0 {
							break loop
						}
						negated.set(f.Key, f.Value)
					}
					r.delete(tx)
				} else {
					p.attrs.set(f.Key, f.Value)
				}
			} else {
				if length < int(r.len()) {
					tx.doc.store.cleanStart(tx, ID{Client: r.id.Client, Clock: r.id.Clock + uint64(length)})
				}
				length -= int(r.len())
			}
		}
		p.forward()
	}
	if length > 0 {
		// formatting beyond the end inserts newlines, as yjs does
		nl := make([]byte, length)
		for i := range nl {
			nl[i] = '\n'
		}
		p.right = tx.insertItem(b, p.left, p.right, update.NewContentString(string(nl)))
		p.forward()
	}
	tx.insertNegatedAttributes(b, p, negated)
}

func isFormatItem(it *item) bool { _, ok := isFormat(it); return ok }

// deleteText deletes length units from p and removes format markers made redundant
// (yjs deleteText).
func (tx *Transaction) deleteText(b *branch, p *textPos, length int) {
	startAttrs := p.attrs.clone()
	start := p.right
	for length > 0 && p.right != nil {
		r := p.right
		if !r.deleted() {
			switch r.content.(type) {
			case *update.ContentType, *update.ContentEmbed, *update.ContentString:
				if length < int(r.len()) {
					tx.doc.store.cleanStart(tx, ID{Client: r.id.Client, Clock: r.id.Clock + uint64(length)})
				}
				length -= int(r.len())
				r.delete(tx)
			}
		}
		p.forward()
	}
	if start != nil {
		tx.cleanupFormattingGap(start, p.right, startAttrs, p.attrs)
	}
	if !b.hasFormatting && start != nil {
		b.setCursor(start, p.index)
	}
}
