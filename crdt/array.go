package crdt

import (
	"fmt"

	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// Array is a shared list of values (yjs Y.Array).
type Array struct{ b *branch }

// NewArray creates an Array not yet part of a document ("prelim"): insert it into an Array or
// Map, and the edits made on it before are applied in the same transaction.
func NewArray() *Array { return newBranch(update.TypeRefArray).public().(*Array) }

// GetArray returns the root Array called name. It panics if the root was already defined as
// another kind, as yjs throws; use RootKind to check first when the name comes from input.
func (d *Doc) GetArray(name string) *Array {
	b, ok := d.typedRoot(name, update.TypeRefArray)
	if !ok {
		panic(fmt.Errorf("%w: %q is %s", ErrWrongRootKind, name, kindName(b.typeRef)))
	}
	return b.public().(*Array)
}

func (a *Array) branchOf() *branch { return a.b }

// Len is the number of elements.
func (a *Array) Len() int { return a.b.length }

// Insert inserts values at index.
func (a *Array) Insert(index int, values ...any) error {
	vs, err := prepareValues(values)
	if err != nil {
		return err
	}
	return a.b.edit(func(tx *Transaction) error { return tx.listInsert(a.b, index, vs) })
}

// Push appends values at the end.
func (a *Array) Push(values ...any) error {
	vs, err := prepareValues(values)
	if err != nil {
		return err
	}
	return a.b.edit(func(tx *Transaction) error { tx.listPush(a.b, vs); return nil })
}

// Delete removes length elements starting at index.
func (a *Array) Delete(index, length int) error {
	return a.b.edit(func(tx *Transaction) error { return tx.listDelete(a.b, index, length) })
}

// Get returns the element at index.
func (a *Array) Get(i int) (any, error) {
	if i < 0 || i >= a.b.length {
		return nil, fmt.Errorf("%w: get %d, length %d", ErrIndexOutOfRange, i, a.b.length)
	}
	n, idx := a.b.findVisible(i)
	return contentValues(n.content)[i-idx], nil
}

// ToSlice returns the elements; nested types are returned as their shared type values.
func (a *Array) ToSlice() []any {
	out := make([]any, 0, a.b.length)
	for n := a.b.start; n != nil; n = n.right {
		if n.visible() {
			out = append(out, contentValues(n.content)...)
		}
	}
	return out
}

// ToJSON returns the elements with nested types rendered as JSON.
func (a *Array) ToJSON() []any {
	out := a.ToSlice()
	for i, v := range out {
		out[i] = toJSONValue(v)
	}
	return out
}

// Observe calls fn after every transaction that changed the array.
func (a *Array) Observe(fn func(*ArrayEvent)) (cancel func()) {
	return a.b.handlers.add(func(e *event) { fn(&ArrayEvent{event: e}) })
}

// edit runs f in the document's current or a new transaction; a type not yet in a document
// records the edit and replays it when inserted (only errors known up front are reported).
func (b *branch) edit(f func(tx *Transaction) error) error {
	if b.doc == nil {
		b.prelim = append(b.prelim, func(tx *Transaction) { _ = f(tx) })
		return nil
	}
	var err error
	b.doc.transact(nil, true, func(tx *Transaction) { err = f(tx) })
	return err
}

// public returns the public wrapper of the branch, creating it once.
func (b *branch) public() any {
	if b.wrapper != nil {
		return b.wrapper
	}
	switch b.typeRef {
	case update.TypeRefArray:
		b.wrapper = &Array{b: b}
	case update.TypeRefMap:
		b.wrapper = &Map{b: b}
	case update.TypeRefText:
		b.wrapper = &Text{b: b}
	case update.TypeRefXmlElement:
		b.wrapper = &XmlElement{b: b}
	case update.TypeRefXmlFragment:
		b.wrapper = &XmlFragment{b: b}
	case update.TypeRefXmlText:
		b.wrapper = &XmlText{Text{b: b}}
	case update.TypeRefXmlHook:
		b.wrapper = &XmlHook{Map{b: b}}
	default:
		return nil
	}
	return b.wrapper
}

// jsonAs renders the branch as kind typeRef (used for untyped roots too).
func (b *branch) jsonAs(typeRef uint8) any {
	switch typeRef {
	case update.TypeRefArray:
		return (&Array{b: b}).ToJSON()
	case update.TypeRefMap:
		return (&Map{b: b}).ToJSON()
	case update.TypeRefText:
		return (&Text{b: b}).ToJSON()
	case update.TypeRefXmlElement:
		return (&XmlElement{b: b}).ToJSON()
	case update.TypeRefXmlFragment:
		return (&XmlFragment{b: b}).ToJSON()
	case update.TypeRefXmlText:
		return (&XmlText{Text{b: b}}).ToJSON()
	case update.TypeRefXmlHook:
		return (&XmlHook{Map{b: b}}).ToJSON()
	}
	return nil
}
