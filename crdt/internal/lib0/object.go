package lib0

// Object is the Any model of a JavaScript plain object: string keys in
// JavaScript property order. Like a JS object it has reference semantics:
// copies of an Object share the same entries.
//
// Property order follows Object.keys(): keys that are array indices ("0" up to
// "4294967294" without leading zeros) come first in ascending numeric order,
// then every other key in insertion order. Set maintains that order, so an
// Object decoded from JS-produced bytes re-encodes to the same bytes.
//
// Create objects with NewObject. The zero value is an empty object; calling Set
// on it (through a pointer) allocates its storage.
type Object struct {
	d *objectData
}

type objectData struct {
	keys  []string
	vals  []any
	index map[string]int // built once the object grows past indexThreshold
}

// indexThreshold: below this many keys a linear scan beats a map lookup.
const indexThreshold = 8

// NewObject returns an empty object.
func NewObject() Object { return Object{d: &objectData{}} }

// newObjectCap returns an empty object with room for n keys.
func newObjectCap(n int) Object {
	return Object{d: &objectData{keys: make([]string, 0, n), vals: make([]any, 0, n)}}
}

// Len is the number of keys.
func (o Object) Len() int {
	if o.d == nil {
		return 0
	}
	return len(o.d.keys)
}

// Keys returns a copy of the keys in property order.
func (o Object) Keys() []string {
	if o.d == nil {
		return nil
	}
	return append([]string(nil), o.d.keys...)
}

// Get returns the value stored under key.
func (o Object) Get(key string) (any, bool) {
	i := o.find(key)
	if i < 0 {
		return nil, false
	}
	return o.d.vals[i], true
}

// Range calls fn for each entry in property order until fn returns false.
func (o Object) Range(fn func(key string, v any) bool) {
	if o.d == nil {
		return
	}
	for i, k := range o.d.keys {
		if !fn(k, o.d.vals[i]) {
			return
		}
	}
}

// Set stores v under key: an existing key keeps its position, a new key takes
// the position JavaScript would give it (see the type documentation).
func (o *Object) Set(key string, v any) {
	if o.d == nil {
		o.d = &objectData{}
	}
	if i := o.find(key); i >= 0 {
		o.d.vals[i] = v
		return
	}
	at := len(o.d.keys)
	if isArrayIndex(key) {
		at = o.indexInsertPos(key)
	}
	o.insert(at, key, v)
}

func (o Object) find(key string) int {
	if o.d == nil {
		return -1
	}
	if o.d.index != nil {
		if i, ok := o.d.index[key]; ok {
			return i
		}
		return -1
	}
	for i, k := range o.d.keys {
		if k == key {
			return i
		}
	}
	return -1
}

// indexInsertPos finds where an array-index key goes among the leading index keys.
func (o Object) indexInsertPos(key string) int {
	for i, k := range o.d.keys {
		if !isArrayIndex(k) || lessNumericString(key, k) {
			return i
		}
	}
	return len(o.d.keys)
}

func (o Object) insert(at int, key string, v any) {
	d := o.d
	d.keys = append(d.keys, "")
	d.vals = append(d.vals, nil)
	copy(d.keys[at+1:], d.keys[at:])
	copy(d.vals[at+1:], d.vals[at:])
	d.keys[at], d.vals[at] = key, v
	switch {
	case d.index == nil && len(d.keys) > indexThreshold:
		d.index = make(map[string]int, len(d.keys)*2)
		o.reindexFrom(0)
	case d.index != nil:
		o.reindexFrom(at)
	}
}

func (o Object) reindexFrom(at int) {
	for i := at; i < len(o.d.keys); i++ {
		o.d.index[o.d.keys[i]] = i
	}
}

// isArrayIndex reports whether JS treats key as an array index: the canonical
// decimal form of an integer in [0, 2^32-2].
func isArrayIndex(key string) bool {
	if len(key) == 0 || len(key) > 10 || (len(key) > 1 && key[0] == '0') {
		return false
	}
	var n uint64
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + uint64(c-'0')
	}
	return n <= 4294967294
}

// lessNumericString compares two canonical decimal strings by value.
func lessNumericString(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// MarshalJSON renders the object as JSON.stringify would (see StringifyJSON).
func (o Object) MarshalJSON() ([]byte, error) {
	s, err := StringifyJSON(o)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}
