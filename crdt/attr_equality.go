package crdt

import (
	"reflect"
	"strconv"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// Yjs compares formatting attribute values in two different ways, and which one a step uses
// decides whether a format marker survives, so both are reproduced exactly:
//
//   - strictEqual is JavaScript's ===. cleanupFormattingGap uses it: two markers that both say
//     link={href:"x"} but were decoded from different updates hold different objects, so Yjs
//     keeps the second marker instead of deleting it as redundant.
//   - equalAttr is yjs equalAttrs: === or, for two objects, a flat comparison whose properties
//     are compared with === (nested objects are equal only if they are the same object).
//     The editing functions and the text event delta use it.
//
// JavaScript objects have identity; their Go models share it as long as the value is copied,
// not rebuilt: an Object is a handle to shared entries, a slice a view of a shared array. Empty
// arrays and binaries have no storage to identify them, so two of them are never the same
// object here; Yjs only meets the same empty array twice when one local edit copies a value
// from one marker into another, where a flat comparison follows anyway in every place but the
// formatting cleanup.

// strictEqual reports a === b for canonical attribute values.
func strictEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool, string, lib0.BigInt:
		return a == b
	case int64, float64:
		fa, _ := jsNumber(a)
		fb, ok := jsNumber(b)
		return ok && fa == fb // NaN !== NaN and 0 === -0, as float comparison has it
	case []any, []byte, lib0.Object, *lib0.Object:
		ia, okA := identity(x)
		ib, okB := identity(b)
		return okA && okB && ia == ib
	}
	return lib0.IsUndefined(a) && lib0.IsUndefined(b)
}

// equalAttr is yjs equalAttrs: a === b, or two objects (arrays and binaries included, which
// are objects in JavaScript) with the same number of own properties, each equal by ===.
func equalAttr(a, b any) bool {
	if strictEqual(a, b) {
		return true
	}
	pa, okA := jsProperties(a)
	pb, okB := jsProperties(b)
	if !okA || !okB || len(pa.keys) != len(pb.keys) {
		return false
	}
	for i, key := range pa.keys {
		val := pa.vals[i]
		// lib0 equalFlat: (val !== undefined || hasProperty(b, key)) && b[key] === val; a
		// missing property fails either way (b[key] is undefined, which equals only an
		// undefined val, and then hasProperty is required)
		other, has := pb.get(key)
		if !has || !strictEqual(other, val) {
			return false
		}
	}
	return true
}

func jsNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// identity returns the address that stands for a JavaScript object's identity, and false when
// the value has none (it is not an object, or it is empty and owns no storage).
func identity(v any) (uintptr, bool) {
	var p uintptr
	switch x := v.(type) {
	case []any:
		if cap(x) == 0 {
			return 0, false
		}
		p = reflect.ValueOf(x).Pointer()
	case []byte:
		if cap(x) == 0 {
			return 0, false
		}
		p = reflect.ValueOf(x).Pointer()
	case lib0.Object:
		p = objectHandle(x)
	case *lib0.Object:
		if x == nil {
			return 0, false
		}
		p = objectHandle(*x)
	default:
		return 0, false
	}
	return p, p != 0
}

// objectHandle is the address of the entries an Object shares with its copies (lib0.Object is
// a struct holding one pointer, and copies of it alias the same object, as JavaScript objects
// do). It returns 0 for the zero Object, which owns no entries yet.
func objectHandle(o lib0.Object) uintptr {
	v := reflect.ValueOf(o)
	if v.NumField() != 1 || v.Field(0).Kind() != reflect.Pointer {
		return 0 // unknown layout: treat every object as distinct rather than guess
	}
	return v.Field(0).Pointer()
}

// properties lists a JavaScript object's own enumerable properties in for...in order.
type properties struct {
	keys []string
	vals []any
}

func (p properties) get(key string) (any, bool) {
	for i, k := range p.keys {
		if k == key {
			return p.vals[i], true
		}
	}
	return nil, false
}

// jsProperties returns the own enumerable properties of an object value (array elements and
// bytes under their index keys), and false for primitives.
func jsProperties(v any) (properties, bool) {
	var p properties
	switch x := v.(type) {
	case lib0.Object:
		x.Range(func(k string, val any) bool {
			p.keys = append(p.keys, k)
			p.vals = append(p.vals, val)
			return true
		})
	case *lib0.Object:
		if x == nil {
			return p, false
		}
		return jsProperties(*x)
	case []any:
		for i, val := range x {
			p.keys = append(p.keys, strconv.Itoa(i))
			p.vals = append(p.vals, val)
		}
	case []byte:
		for i, b := range x {
			p.keys = append(p.keys, strconv.Itoa(i))
			p.vals = append(p.vals, int64(b))
		}
	default:
		return p, false
	}
	return p, true
}
