package lib0

import (
	"fmt"
	"reflect"
	"sort"
)

// NormalizeAny converts a Go value supplied by an application into the
// canonical Any form used throughout the engine (see the package doc):
//
//   - nil, Undefined, bool, string, BigInt, float64, int64 are kept;
//     []byte is kept (not copied);
//   - every other integer kind becomes int64, or float64 when its magnitude
//     exceeds 2^53: a JS number cannot hold it exactly either, so the value is
//     rounded as JSON.parse would round the same literal;
//   - float32 becomes float64;
//   - slices and arrays (other than []byte) become []any, recursively;
//   - maps with string keys become an Object whose keys are in JS order for a
//     fresh object built from a Go map: array-index keys ascending by value,
//     then the other keys sorted lexicographically (Go maps have no insertion
//     order to preserve);
//   - Object and *Object are copied with normalized values.
//
// Anything else (structs, pointers, channels, functions, maps with non-string
// keys) returns an error wrapping ErrNotCanonical that names the Go type.
// Nesting deeper than MaxNestingDepth returns ErrTooDeep.
func NormalizeAny(v any) (any, error) { return normalize(v, 0) }

func normalize(v any, depth int) (any, error) {
	if depth > MaxNestingDepth {
		return nil, ErrTooDeep
	}
	switch v := v.(type) {
	case nil, undefinedType, bool, string, BigInt, int64, float64, []byte:
		return v, nil
	case int:
		return normalizeInt(int64(v)), nil
	case float32:
		return float64(v), nil
	case []any:
		return normalizeSlice(len(v), func(i int) any { return v[i] }, depth)
	case map[string]any:
		return normalizeMap(v, depth)
	case Object:
		return normalizeObject(v, depth)
	case *Object:
		if v == nil {
			return nil, fmt.Errorf("%w: nil *lib0.Object", ErrNotCanonical)
		}
		return normalizeObject(*v, depth)
	}
	return normalizeReflect(reflect.ValueOf(v), depth)
}

func normalizeInt(v int64) any {
	if v < -maxDecodable || v > maxDecodable {
		return float64(v)
	}
	return v
}

func normalizeUint(v uint64) any {
	if v > maxDecodable {
		return float64(v)
	}
	return int64(v)
}

// normalizeReflect handles named types and typed containers ([]string,
// map[string]int, type Celsius float64, ...).
func normalizeReflect(rv reflect.Value, depth int) (any, error) {
	switch rv.Kind() {
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return normalizeInt(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return normalizeUint(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return rvBytes(rv), nil
		}
		return normalizeSlice(rv.Len(), func(i int) any { return rv.Index(i).Interface() }, depth)
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			return normalizeReflectMap(rv, depth)
		}
	}
	return nil, fmt.Errorf("%w: Go type %s", ErrNotCanonical, rv.Type())
}

func rvBytes(rv reflect.Value) []byte {
	b := make([]byte, rv.Len())
	for i := range b {
		b[i] = byte(rv.Index(i).Uint())
	}
	return b
}

func normalizeSlice(n int, at func(int) any, depth int) (any, error) {
	out := make([]any, n)
	for i := range out {
		x, err := normalize(at(i), depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

func normalizeMap(m map[string]any, depth int) (any, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return buildSortedObject(keys, func(k string) any { return m[k] }, depth)
}

func normalizeReflectMap(rv reflect.Value, depth int) (any, error) {
	byKey := make(map[string]reflect.Value, rv.Len())
	keys := make([]string, 0, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		k := it.Key().String()
		keys = append(keys, k)
		byKey[k] = it.Value()
	}
	return buildSortedObject(keys, func(k string) any { return byKey[k].Interface() }, depth)
}

// buildSortedObject inserts keys in lexicographic order; Object.Set then moves
// array-index keys to the front in numeric order, as JS would.
func buildSortedObject(keys []string, get func(string) any, depth int) (any, error) {
	sort.Strings(keys)
	obj := newObjectCap(len(keys))
	for _, k := range keys {
		x, err := normalize(get(k), depth+1)
		if err != nil {
			return nil, err
		}
		obj.Set(k, x)
	}
	return obj, nil
}

func normalizeObject(o Object, depth int) (any, error) {
	out := newObjectCap(o.Len())
	var err error
	o.Range(func(k string, x any) bool {
		var nx any
		if nx, err = normalize(x, depth+1); err == nil {
			out.Set(k, nx)
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
