package crdt

import (
	"slices"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// attrs is an insertion-ordered attribute map, standing in for the JS Map/object yjs uses so
// that format items are created in a deterministic order.
type attrs struct {
	keys []string
	vals map[string]any
}

// newAttrs returns an empty set; the map is allocated on first set, since plain text never
// needs one.
func newAttrs() *attrs { return &attrs{} }

// attrsFromMap orders a user-supplied map by key (Go maps have no insertion order).
func attrsFromMap(m map[string]any) (*attrs, error) {
	a := newAttrs()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v, err := lib0.NormalizeAny(m[k])
		if err != nil {
			return nil, err
		}
		a.set(k, v)
	}
	return a, nil
}

func (a *attrs) get(k string) (any, bool) {
	v, ok := a.vals[k]
	return v, ok
}

// getOrNull mirrors `map.get(key) ?? null`: an absent key and an undefined value both read
// as null.
func (a *attrs) getOrNull(k string) any {
	if v, ok := a.vals[k]; ok && !lib0.IsUndefined(v) {
		return v
	}
	return nil
}

func (a *attrs) set(k string, v any) {
	if a.vals == nil {
		a.vals = make(map[string]any)
	}
	if _, ok := a.vals[k]; !ok {
		a.keys = append(a.keys, k)
	}
	a.vals[k] = v
}

func (a *attrs) del(k string) {
	if _, ok := a.vals[k]; !ok {
		return
	}
	delete(a.vals, k)
	a.keys = slices.DeleteFunc(a.keys, func(x string) bool { return x == k })
}

func (a *attrs) len() int { return len(a.keys) }

func (a *attrs) clone() *attrs {
	if len(a.keys) == 0 {
		return &attrs{}
	}
	c := &attrs{keys: slices.Clone(a.keys), vals: make(map[string]any, len(a.vals))}
	for k, v := range a.vals {
		c.vals[k] = v
	}
	return c
}

// toMap returns the attributes as a plain map, dropping null values when skipNull is set.
func (a *attrs) toMap(skipNull bool) map[string]any {
	m := make(map[string]any, len(a.keys))
	for _, k := range a.keys {
		if v := a.vals[k]; v != nil || !skipNull {
			m[k] = v
		}
	}
	return m
}

// applyFormat updates current attributes with a format marker: null closes the attribute.
func (a *attrs) applyFormat(f *update.ContentFormat) {
	if f.Value == nil {
		a.del(f.Key)
	} else {
		a.set(f.Key, f.Value)
	}
}
