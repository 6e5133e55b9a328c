package crdt

import (
	"fmt"
	"strings"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// Text is shared rich text (yjs Y.Text). Indexes and lengths count UTF-16 code units.
type Text struct{ b *branch }

// Delta is one operation of a rich-text delta (the Quill format yjs uses): exactly one of
// Insert (a string, an embed value or a nested type), Delete or Retain is set.
type Delta struct {
	Insert     any
	Delete     int
	Retain     int
	Attributes map[string]any
}

// NewText creates a Text not yet part of a document (see NewArray).
func NewText() *Text { return newBranch(update.TypeRefText).public().(*Text) }

// GetText returns the root Text called name (panics like GetArray on a kind conflict).
func (d *Doc) GetText(name string) *Text {
	b, ok := d.typedRoot(name, update.TypeRefText)
	if !ok {
		panic(fmt.Errorf("%w: %q is %s", ErrWrongRootKind, name, kindName(b.typeRef)))
	}
	return b.public().(*Text)
}

func (t *Text) branchOf() *branch { return t.b }

// Len is the length in UTF-16 code units (embeds count 1).
func (t *Text) Len() int { return t.b.length }

// Insert inserts s at index. attrs nil inherits the formatting in effect at index; a non-nil
// map (even empty) sets exactly those attributes.
func (t *Text) Insert(index int, s string, attrs map[string]any) error {
	if s == "" {
		return nil
	}
	return t.insertContent(index, update.NewContentString(lib0.ToValidUTF8(s)), attrs)
}

// InsertEmbed inserts a non-text element (any JSON-like value, or a prelim shared type) of
// length 1 at index.
func (t *Text) InsertEmbed(index int, embed any, attrs map[string]any) error {
	var c update.Content
	if st, ok := embed.(sharedType); ok {
		p, err := prepareValue(st)
		if err != nil {
			return err
		}
		c = p.content()
	} else {
		v, err := lib0.NormalizeAny(embed)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrUnsupportedValue, err)
		}
		c = &update.ContentEmbed{Value: v}
	}
	if attrs == nil {
		attrs = map[string]any{}
	}
	return t.insertContent(index, c, attrs)
}

func (t *Text) insertContent(index int, c update.Content, m map[string]any) error {
	if m == nil && t.b.doc != nil && !t.b.hasFormatting {
		return t.b.insertPlain(index, c) // the keystroke path, see text_position.go
	}
	var want *attrs
	if m != nil {
		a, err := attrsFromMap(m)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrUnsupportedValue, err)
		}
		want = a
	}
	return t.b.edit(func(tx *Transaction) error {
		if index < 0 || index > t.b.length {
			return fmt.Errorf("%w: insert at %d, length %d", ErrIndexOutOfRange, index, t.b.length)
		}
		if want == nil && !t.b.hasFormatting {
			tx.insertPlainText(t.b, index, c)
			return nil
		}
		p := tx.findTextPosition(t.b, index)
		w := want
		if w == nil {
			w = p.attrs.clone()
		} else {
			w = w.clone()
		}
		tx.insertText(t.b, p, c, w)
		return nil
	})
}

// Delete removes length units from index.
func (t *Text) Delete(index, length int) error {
	if t.b.doc != nil && !t.b.hasFormatting {
		return t.b.deletePlain(index, length)
	}
	return t.b.edit(func(tx *Transaction) error {
		if index < 0 || length < 0 || index+length > t.b.length {
			return fmt.Errorf("%w: delete %d..%d, length %d", ErrIndexOutOfRange, index, index+length, t.b.length)
		}
		if length == 0 {
			return nil
		}
		if !t.b.hasFormatting {
			tx.deletePlainText(t.b, index, length)
			return nil
		}
		tx.deleteText(t.b, tx.findTextPosition(t.b, index), length)
		return nil
	})
}

// Format sets attributes on length units from index; a nil attribute value removes it.
func (t *Text) Format(index, length int, attrs map[string]any) error {
	want, err := attrsFromMap(attrs)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnsupportedValue, err)
	}
	return t.b.edit(func(tx *Transaction) error {
		if index < 0 || length < 0 || index+length > t.b.length {
			return fmt.Errorf("%w: format %d..%d, length %d", ErrIndexOutOfRange, index, index+length, t.b.length)
		}
		if length == 0 {
			return nil
		}
		p := tx.findTextPosition(t.b, index)
		if p.right == nil {
			return nil
		}
		tx.formatText(t.b, p, length, want)
		return nil
	})
}

// String returns the plain text (embeds and formatting left out).
func (t *Text) String() string {
	var sb strings.Builder
	for n := t.b.start; n != nil; n = n.right {
		if c, ok := n.content.(*update.ContentString); ok && !n.deleted() {
			sb.WriteString(c.String())
		}
	}
	return sb.String()
}

// ToJSON is String, as yjs's toJSON of a text.
func (t *Text) ToJSON() string { return t.String() }

// ToDelta returns the content as a delta of inserts with their attributes.
func (t *Text) ToDelta() []Delta {
	var ops []Delta
	cur := newAttrs()
	var sb strings.Builder
	pack := func() {
		if sb.Len() == 0 {
			return
		}
		op := Delta{Insert: sb.String()}
		if cur.len() > 0 {
			op.Attributes = cur.toMap(false)
		}
		ops = append(ops, op)
		sb.Reset()
	}
	for n := t.b.start; n != nil; n = n.right {
		if n.deleted() {
			continue
		}
		switch c := n.content.(type) {
		case *update.ContentString:
			sb.WriteString(c.String())
		case *update.ContentEmbed, *update.ContentType:
			pack()
			op := Delta{Insert: contentValues(c)[0]}
			if cur.len() > 0 {
				op.Attributes = cur.toMap(false)
			}
			ops = append(ops, op)
		case *update.ContentFormat:
			pack()
			cur.applyFormat(c)
		}
	}
	pack()
	return ops
}

// ApplyDelta applies a delta (inserts, retains with formatting, deletes) from the start.
func (t *Text) ApplyDelta(delta []Delta) error {
	type step struct {
		content update.Content
		n       int
		attrs   *attrs
		op      byte // 'i', 'r', 'd'
	}
	steps := make([]step, 0, len(delta))
	for _, op := range delta {
		a, err := attrsFromMap(op.Attributes)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrUnsupportedValue, err)
		}
		switch {
		case op.Insert != nil:
			if s, ok := op.Insert.(string); ok {
				if s == "" {
					continue
				}
				steps = append(steps, step{content: update.NewContentString(lib0.ToValidUTF8(s)), attrs: a, op: 'i'})
				continue
			}
			p, err := prepareValue(op.Insert)
			if err != nil {
				return err
			}
			c := p.content()
			if p.kind == valueAny {
				c = &update.ContentEmbed{Value: p.value}
			}
			steps = append(steps, step{content: c, attrs: a, op: 'i'})
		case op.Retain > 0:
			steps = append(steps, step{n: op.Retain, attrs: a, op: 'r'})
		case op.Delete > 0:
			steps = append(steps, step{n: op.Delete, op: 'd'})
		}
	}
	return t.b.edit(func(tx *Transaction) error {
		p := &textPos{right: t.b.start, attrs: newAttrs()}
		for _, s := range steps {
			switch s.op {
			case 'i':
				tx.insertText(t.b, p, s.content, s.attrs.clone())
			case 'r':
				tx.formatText(t.b, p, s.n, s.attrs.clone())
			case 'd':
				tx.deleteText(t.b, p, s.n)
			}
		}
		t.b.invalidateMarkers()
		return nil
	})
}

// Observe calls fn after every transaction that changed the text.
func (t *Text) Observe(fn func(*TextEvent)) (cancel func()) {
	return t.b.handlers.add(func(e *event) { fn(&TextEvent{event: e}) })
}
