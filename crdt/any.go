package crdt

import "github.com/meridian-sync/meridian/crdt/internal/lib0"

// The Go model of the JavaScript values Yjs stores (lib0's "Any" encoding). Values read from a document are
// always of these kinds: nil (null), Undefined, bool, int64, float64, BigInt, string, []byte, []any and Object.
// When writing, plain Go values are accepted too (ints of every size, float32, map[string]any, typed slices) and
// converted the way NormalizeAny describes.
type (
	// Object is a JSON-like object that keeps its keys in the order they were written, as JavaScript objects do,
	// so documents re-encode byte for byte. It marshals to JSON in that order.
	Object = lib0.Object
	// BigInt is a JavaScript BigInt (lib0 tag 122); a plain int64 is a JavaScript number.
	BigInt = lib0.BigInt
)

// Undefined is JavaScript's undefined (nil is null).
var Undefined = lib0.Undefined

// NewObject returns an empty Object.
func NewObject() Object { return lib0.NewObject() }

// NormalizeAny converts a Go value into the canonical form documents store, or explains why it cannot be stored.
// Go maps become Objects with JavaScript's key order (array-index keys ascending, then the others sorted).
func NormalizeAny(v any) (any, error) { return lib0.NormalizeAny(v) }

// EqualAny reports whether two values are equal as JavaScript values: numbers by value, objects ignoring key order.
func EqualAny(a, b any) bool { return lib0.EqualAny(a, b) }
