package crdt

import (
	"testing"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

func object(t *testing.T, kv ...any) lib0.Object {
	t.Helper()
	o := lib0.NewObject()
	for i := 0; i < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

func TestStrictEqualIsJavaScriptTripleEquals(t *testing.T) {
	obj := object(t, "href", "x")
	arr := []any{int64(1)}
	bin := []byte{1}
	for _, c := range []struct {
		name string
		a, b any
		want bool
	}{
		{"null", nil, nil, true},
		{"null and undefined", nil, lib0.Undefined, false},
		{"undefined", lib0.Undefined, lib0.Undefined, true},
		{"numbers across int and float", int64(1), float64(1), true},
		{"zero and negative zero", float64(0), -1 * float64(0), true},
		{"different numbers", int64(1), int64(2), false},
		{"number and string", int64(1), "1", false},
		{"bigint and number", lib0.BigInt(1), int64(1), false},
		{"bigints", lib0.BigInt(7), lib0.BigInt(7), true},
		{"strings", "a", "a", true},
		{"bools", true, true, true},
		{"the same object", obj, obj, true},
		{"equal objects", obj, object(t, "href", "x"), false},
		{"the same array", arr, arr, true},
		{"equal arrays", arr, []any{int64(1)}, false},
		{"the same binary", bin, bin, true},
		{"equal binaries", bin, []byte{1}, false},
		{"empty arrays have no identity", []any{}, []any{}, false},
	} {
		if got := strictEqual(c.a, c.b); got != c.want {
			t.Errorf("%s: strictEqual(%v, %v) = %v, want %v", c.name, c.a, c.b, got, c.want)
		}
	}
}

func TestEqualAttrIsYjsEqualAttrs(t *testing.T) {
	inner := object(t, "x", int64(1))
	for _, c := range []struct {
		name string
		a, b any
		want bool
	}{
		{"flat objects", object(t, "href", "x"), object(t, "href", "x"), true},
		{"key order is irrelevant", object(t, "a", int64(1), "b", int64(2)), object(t, "b", int64(2), "a", int64(1)), true},
		{"different values", object(t, "href", "x"), object(t, "href", "y"), false},
		{"extra key", object(t, "a", int64(1)), object(t, "a", int64(1), "b", int64(2)), false},
		{"nested objects are compared by identity", object(t, "o", inner), object(t, "o", object(t, "x", int64(1))), false},
		{"the same nested object", object(t, "o", inner), object(t, "o", inner), true},
		{"arrays compare element by element", []any{int64(1), "a"}, []any{float64(1), "a"}, true},
		{"an array equals an object with its index keys", []any{"a"}, object(t, "0", "a"), true},
		{"binaries compare byte by byte", []byte{1, 2}, []byte{1, 2}, true},
		{"undefined property and missing property", object(t, "a", lib0.Undefined), object(t, "b", int64(1)), false},
		{"undefined property and undefined property", object(t, "a", lib0.Undefined), object(t, "a", lib0.Undefined), true},
		{"null is not an object", nil, object(t), false},
		{"primitives", "x", "x", true},
		{"primitive and object", "x", object(t, "0", "x"), false},
	} {
		if got := equalAttr(c.a, c.b); got != c.want {
			t.Errorf("%s: equalAttr = %v, want %v", c.name, got, c.want)
		}
	}
}
