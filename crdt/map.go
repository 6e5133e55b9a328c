package crdt

import (
	"fmt"
	"slices"

	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// Map is a shared key-value map (yjs Y.Map); concurrent writes to one key resolve to the
// same winner everywhere.
type Map struct{ b *branch }

// NewMap creates a Map not yet part of a document (see NewArray).
func NewMap() *Map { return newBranch(update.TypeRefMap).public().(*Map) }

// GetMap returns the root Map called name (panics like GetArray on a kind conflict).
func (d *Doc) GetMap(name string) *Map {
	b, ok := d.typedRoot(name, update.TypeRefMap)
	if !ok {
		panic(fmt.Errorf("%w: %q is %s", ErrWrongRootKind, name, kindName(b.typeRef)))
	}
	return b.public().(*Map)
}

func (m *Map) branchOf() *branch { return m.b }

// Set stores v under key.
func (m *Map) Set(key string, v any) error {
	p, err := prepareValue(v)
	if err != nil {
		return err
	}
	return m.b.edit(func(tx *Transaction) error { tx.mapSet(m.b, key, p); return nil })
}

// Delete removes key (no-op when absent).
func (m *Map) Delete(key string) {
	_ = m.b.edit(func(tx *Transaction) error {
		if it := m.b.mapItems[key]; it != nil {
			it.delete(tx)
		}
		return nil
	})
}

// Get returns the value of key.
func (m *Map) Get(key string) (any, bool) {
	it := m.b.mapItems[key]
	if it == nil || it.deleted() {
		return nil, false
	}
	return lastValue(it), true
}

// Has reports whether key holds a value.
func (m *Map) Has(key string) bool {
	it := m.b.mapItems[key]
	return it != nil && !it.deleted()
}

// Keys lists the keys holding a value, sorted.
func (m *Map) Keys() []string {
	keys := make([]string, 0, len(m.b.mapItems))
	for k, it := range m.b.mapItems {
		if !it.deleted() {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Len is the number of keys holding a value.
func (m *Map) Len() int {
	n := 0
	for _, it := range m.b.mapItems {
		if !it.deleted() {
			n++
		}
	}
	return n
}

// ToJSON returns the entries with nested types rendered as JSON.
func (m *Map) ToJSON() map[string]any {
	out := make(map[string]any, len(m.b.mapItems))
	for k, it := range m.b.mapItems {
		if !it.deleted() {
			out[k] = toJSONValue(lastValue(it))
		}
	}
	return out
}

// Observe calls fn after every transaction that changed the map.
func (m *Map) Observe(fn func(*MapEvent)) (cancel func()) {
	return m.b.handlers.add(func(e *event) { fn(&MapEvent{event: e}) })
}

// mapSet writes a new item for key to the right of the key's current chain (yjs typeMapSet).
func (tx *Transaction) mapSet(b *branch, key string, p prepared) {
	left := b.mapItems[key]
	var c update.Content
	if p.kind == valueAny {
		c = &update.ContentAny{Values: []any{p.value}}
	} else {
		c = p.content()
	}
	it := newItem(tx.nextID(), left, nil, b.keyPlace(key), c)
	tx.integrate(it, 0, true)
}
