package lib0

import (
	"bytes"
	"math"
)

// EqualAny reports whether two canonical values are deeply equal with
// JavaScript-like value semantics: numbers compare by value across int64 and
// float64 (int64(1) equals float64(1), and 0 equals -0), NaN equals NaN so that
// decoded data compares equal to itself, BigInt equals only BigInt, and object
// comparison ignores key order (check bytes when order matters).
func EqualAny(a, b any) bool {
	if fa, ok := numberValue(a); ok {
		fb, ok := numberValue(b)
		return ok && (fa == fb || (math.IsNaN(fa) && math.IsNaN(fb)))
	}
	switch a := a.(type) {
	case nil, undefinedType, bool, string, BigInt:
		return a == b
	case []byte:
		bb, ok := b.([]byte)
		return ok && bytes.Equal(a, bb)
	case []any:
		bb, ok := b.([]any)
		return ok && equalSlices(a, bb)
	case Object:
		return equalObjectTo(a, b)
	case *Object:
		return a != nil && equalObjectTo(*a, b)
	}
	return false
}

func numberValue(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

func equalSlices(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !EqualAny(a[i], b[i]) {
			return false
		}
	}
	return true
}

func equalObjectTo(a Object, b any) bool {
	var bo Object
	switch b := b.(type) {
	case Object:
		bo = b
	case *Object:
		if b == nil {
			return false
		}
		bo = *b
	default:
		return false
	}
	if a.Len() != bo.Len() {
		return false
	}
	equal := true
	a.Range(func(k string, x any) bool {
		y, ok := bo.Get(k)
		equal = ok && EqualAny(x, y)
		return equal
	})
	return equal
}
