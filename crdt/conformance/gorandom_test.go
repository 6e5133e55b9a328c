package conformance

import (
	"fmt"
	"math"
	"math/rand/v2"
	"unicode/utf16"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// goEditor makes random local edits on a Go document's "text", "array" and "map" roots and on every
// nested type reachable from them, with the same value kinds as the Yjs sessions (harness/values.mjs).
type goEditor struct {
	rng  *rand.Rand
	doc  *crdt.Doc
	text *crdt.Text
	arr  *crdt.Array
	m    *crdt.Map
	err  error // the first error of an edit made on a prelim type, reported by the next edit()
}

var goEditRoots = map[string]string{"text": "text", "array": "array", "map": "map"}

func newGoEditor(rng *rand.Rand, doc *crdt.Doc) *goEditor {
	return &goEditor{rng: rng, doc: doc, text: doc.GetText("text"), arr: doc.GetArray("array"), m: doc.GetMap("map")}
}

// edit performs one random edit on a root (half the time) or on any reachable type.
func (e *goEditor) edit() error {
	if err := e.editTarget(); err != nil {
		return err
	}
	err := e.err
	e.err = nil
	return err
}

// note keeps the first error of an edit whose caller cannot return one.
func (e *goEditor) note(err error) {
	if e.err == nil && err != nil {
		e.err = fmt.Errorf("editing a prelim type: %w", err)
	}
}

func (e *goEditor) editTarget() error {
	var target any
	if e.rng.IntN(2) == 0 {
		target = []any{e.text, e.arr, e.m}[e.rng.IntN(3)]
	} else {
		types := reachable([]any{e.text, e.arr, e.m})
		target = types[e.rng.IntN(len(types))]
	}
	switch t := target.(type) {
	case *crdt.Text:
		return e.editText(t)
	case *crdt.Array:
		return e.editArray(t)
	case *crdt.Map:
		return e.editMap(t)
	}
	return fmt.Errorf("no edit for %T", target)
}

// reachable lists the given types and every shared type nested in them, depth-first.
func reachable(types []any) []any {
	var out []any
	var visit func(v any)
	visit = func(v any) {
		switch t := v.(type) {
		case *crdt.Text:
			out = append(out, t)
		case *crdt.Array:
			out = append(out, t)
			for _, child := range t.ToSlice() {
				visit(child)
			}
		case *crdt.Map:
			out = append(out, t)
			for _, k := range t.Keys() {
				child, _ := t.Get(k)
				visit(child)
			}
		}
	}
	for _, t := range types {
		visit(t)
	}
	return out
}

func (e *goEditor) editText(t *crdt.Text) error {
	length := t.Len()
	snap := boundarySnapper(textUnits(t))
	rangeOf := func() (int, int) {
		index := snap(e.rng.IntN(length + 1))
		end := snap(index + e.rng.IntN(min(length-index, 5)+1))
		return index, end - index
	}
	choice := 0
	if length > 0 {
		choice = e.rng.IntN(5)
	}
	switch choice {
	case 0, 1:
		var attrs map[string]any
		if e.rng.IntN(4) == 0 {
			attrs = e.randomFormat(false)
		}
		return t.Insert(snap(e.rng.IntN(length+1)), e.randomString(6), attrs)
	case 2:
		index, n := rangeOf()
		return t.Delete(index, n)
	case 3:
		index, n := rangeOf()
		return t.Format(index, n, e.randomFormat(true))
	default:
		embed := map[string]any{"image": "https://img.example/" + e.randomString(3)}
		return t.InsertEmbed(snap(e.rng.IntN(length+1)), embed, nil)
	}
}

// textUnits returns a text's UTF-16 units, one placeholder unit per embed.
func textUnits(t *crdt.Text) []uint16 {
	var units []uint16
	for _, d := range t.ToDelta() {
		if s, ok := d.Insert.(string); ok {
			units = append(units, utf16.Encode([]rune(s))...)
		} else {
			units = append(units, 0xfffc)
		}
	}
	return units
}

// boundarySnapper moves an index inside a surrogate pair to the pair's start (see harness/edits.mjs:
// Yjs replicas diverge when an edit splits an astral character).
func boundarySnapper(units []uint16) func(int) int {
	return func(i int) int {
		if i > 0 && i < len(units) && utf16.IsSurrogate(rune(units[i-1])) && units[i-1] < 0xdc00 && units[i] >= 0xdc00 {
			return i - 1
		}
		return i
	}
}

func (e *goEditor) editArray(a *crdt.Array) error {
	length := a.Len()
	choice := 0
	if length > 0 {
		choice = e.rng.IntN(4)
	}
	switch choice {
	case 0, 1:
		values := make([]any, 1+e.rng.IntN(3))
		for i := range values {
			values[i] = e.randomValue(0)
		}
		return a.Insert(e.rng.IntN(length+1), values...)
	case 2:
		return a.Push(e.randomValue(0))
	default:
		index := e.rng.IntN(length + 1)
		return a.Delete(index, e.rng.IntN(min(length-index, 5)+1))
	}
}

var goMapKeys = []string{"a", "b", "c", "title", "n", "7"}

func (e *goEditor) editMap(m *crdt.Map) error {
	if keys := m.Keys(); len(keys) > 0 && e.rng.IntN(4) == 0 {
		m.Delete(keys[e.rng.IntN(len(keys))])
		return nil
	}
	return m.Set(goMapKeys[e.rng.IntN(len(goMapKeys))], e.randomValue(0))
}

var (
	goPlainChars = []rune("abcdefghijklmnop qrstuvwxyz")
	goWideChars  = []rune("éß中文😀🎉")
	goObjectKeys = []string{"a", "b", "name", "x", "zeta", "Ω", "0", "12", ""}
)

func (e *goEditor) randomString(maxLen int) string {
	runes := make([]rune, 1+e.rng.IntN(maxLen))
	for i := range runes {
		if e.rng.IntN(20) == 0 {
			runes[i] = goWideChars[e.rng.IntN(len(goWideChars))]
		} else {
			runes[i] = goPlainChars[e.rng.IntN(len(goPlainChars))]
		}
	}
	return string(runes)
}

// randomNumber covers each lib0 number encoding, as float64 and as int64.
func (e *goEditor) randomNumber() any {
	switch e.rng.IntN(8) {
	case 0:
		return float64(e.rng.IntN(201) - 100)
	case 1:
		return int64(e.rng.IntN(1<<31) - 1<<30)
	case 2:
		return float64(int64(1)<<31 + e.rng.Int64N(1<<53-1<<31))
	case 3:
		return -float64(int64(1)<<31 + e.rng.Int64N(1<<53-1<<31))
	case 4:
		return float64(e.rng.IntN(2001)-1000) / 4 // exact in float32
	case 5:
		return e.rng.Float64()*1e6 - 5e5
	case 6:
		return []any{math.Copysign(0, -1), float64(1 << 31), -float64(1 << 31), 0.1, 1e300, -1.5e-300}[e.rng.IntN(6)]
	default:
		return int64(e.rng.IntN(10))
	}
}

// randomJSON returns a value for ContentAny: numbers, strings, booleans, null, objects, arrays.
func (e *goEditor) randomJSON(depth int) any {
	n := 8
	if depth >= 2 {
		n = 6
	}
	switch e.rng.IntN(n) {
	case 0, 1:
		return e.randomNumber()
	case 2, 3:
		return e.randomString(6)
	case 4:
		return e.rng.IntN(2) == 0
	case 5:
		return nil
	case 6:
		return e.randomObject(depth)
	default:
		arr := make([]any, e.rng.IntN(4))
		for i := range arr {
			arr[i] = e.randomJSON(depth + 1)
		}
		return arr
	}
}

// randomObject builds a lib0.Object in random insertion order (JS order), or sometimes a Go map.
func (e *goEditor) randomObject(depth int) any {
	n := e.rng.IntN(5)
	if e.rng.IntN(3) == 0 {
		m := map[string]any{}
		for range n {
			m[goObjectKeys[e.rng.IntN(len(goObjectKeys))]] = e.randomJSON(depth + 1)
		}
		return m
	}
	obj := lib0.NewObject()
	for range n {
		obj.Set(goObjectKeys[e.rng.IntN(len(goObjectKeys))], e.randomJSON(depth+1))
	}
	return obj
}

func (e *goEditor) randomBinary() []byte {
	b := make([]byte, e.rng.IntN(7))
	for i := range b {
		b[i] = byte(e.rng.IntN(256))
	}
	return b
}

// randomValue returns anything Array.Insert and Map.Set accept, nested prelim types included.
func (e *goEditor) randomValue(depth int) any {
	r := e.rng.IntN(20)
	switch {
	case r < 11:
		return e.randomJSON(depth)
	case r < 13:
		return e.randomBinary()
	case r == 13:
		return []any{e.randomBinary(), e.randomJSON(2)}
	case r == 14:
		obj := lib0.NewObject()
		obj.Set("big", lib0.BigInt(e.rng.Int64N(1<<41)-1<<40))
		return obj
	case depth >= 2:
		return e.randomJSON(depth)
	}
	return e.randomPrelimType(depth)
}

// randomPrelimType returns a new shared type with content written before it is inserted.
func (e *goEditor) randomPrelimType(depth int) any {
	switch e.rng.IntN(3) {
	case 0:
		t := crdt.NewText()
		if e.rng.IntN(2) == 0 {
			e.note(t.Insert(0, e.randomString(6), nil))
		}
		return t
	case 1:
		a := crdt.NewArray()
		for range e.rng.IntN(3) {
			e.note(a.Push(e.randomValue(depth + 1)))
		}
		return a
	default:
		m := crdt.NewMap()
		for range e.rng.IntN(3) {
			e.note(m.Set(goObjectKeys[e.rng.IntN(len(goObjectKeys))], e.randomValue(depth+1)))
		}
		return m
	}
}

// randomFormat returns text attributes; with allowNull some are nil (remove the attribute).
func (e *goEditor) randomFormat(allowNull bool) map[string]any {
	attrs := map[string]any{}
	for range 1 + e.rng.IntN(2) {
		key := []string{"bold", "italic", "link"}[e.rng.IntN(3)]
		if allowNull && e.rng.IntN(4) == 0 {
			attrs[key] = nil
			continue
		}
		if key == "link" {
			attrs[key] = []any{"https://a.example", "https://b.example/x", map[string]any{"href": "https://c.example"}}[e.rng.IntN(3)]
		} else {
			attrs[key] = []any{true, true, float64(1), "yes"}[e.rng.IntN(4)]
		}
	}
	return attrs
}

// randomClientID draws small, 32-bit and up-to-2^53-1 client ids, as the Yjs sessions do.
func randomClientID(rng *rand.Rand) uint64 {
	switch rng.IntN(3) {
	case 0:
		return uint64(rng.IntN(21))
	case 1:
		return uint64(rng.Uint32())
	default:
		return 1<<32 + rng.Uint64N(1<<53-1<<32)
	}
}
