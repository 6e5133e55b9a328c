package update

import (
	"fmt"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// ContentAny is a list of lib0 Any values (ref 8): array elements and map values.
type ContentAny struct{ Values []any }

// ContentJSON is the legacy list content (ref 2). Each element travels as
// JSON.stringify text (the literal `undefined` for lib0.Undefined) and is kept
// parsed, so re-encoding normalises the text exactly as Yjs does.
type ContentJSON struct{ Values []any }

// ContentDeleted stands in for the content of a deleted, garbage-collected Item (ref 1).
type ContentDeleted struct{ N uint64 }

func (c *ContentAny) Ref() uint8      { return RefAny }
func (c *ContentAny) Len() uint64     { return uint64(len(c.Values)) }
func (c *ContentAny) Countable() bool { return true }
func (c *ContentAny) Copy() Content {
	return &ContentAny{Values: c.Values[:len(c.Values):len(c.Values)]}
}

// Splice keeps [0,offset); the three-index slice makes a later append (MergeWith)
// reallocate instead of overwriting the elements handed to the right part.
func (c *ContentAny) Splice(offset uint64) Content {
	right := &ContentAny{Values: c.Values[offset:]}
	c.Values = c.Values[:offset:offset]
	return right
}

func (c *ContentAny) MergeWith(right Content) bool {
	r, ok := right.(*ContentAny)
	if ok {
		c.Values = append(c.Values, r.Values...) // amortised: Splice and Copy cap what they share
	}
	return ok
}

func (c *ContentAny) Write(enc codec.UpdateEncoder, offset uint64) {
	enc.WriteLen(uint64(len(c.Values)) - offset)
	for _, v := range c.Values[offset:] {
		enc.WriteAny(v)
	}
}

func (c *ContentJSON) Ref() uint8      { return RefJSON }
func (c *ContentJSON) Len() uint64     { return uint64(len(c.Values)) }
func (c *ContentJSON) Countable() bool { return true }
func (c *ContentJSON) Copy() Content {
	return &ContentJSON{Values: c.Values[:len(c.Values):len(c.Values)]}
}

func (c *ContentJSON) Splice(offset uint64) Content {
	right := &ContentJSON{Values: c.Values[offset:]}
	c.Values = c.Values[:offset:offset]
	return right
}

func (c *ContentJSON) MergeWith(right Content) bool {
	r, ok := right.(*ContentJSON)
	if ok {
		c.Values = append(c.Values, r.Values...) // amortised: Splice and Copy cap what they share
	}
	return ok
}

// Write stringifies each element. Values come from ParseJSON (or from the
// engine's own JSON-safe values), which always stringify; the lenient form keeps
// Write infallible for anything else.
func (c *ContentJSON) Write(enc codec.UpdateEncoder, offset uint64) {
	enc.WriteLen(uint64(len(c.Values)) - offset)
	for _, v := range c.Values[offset:] {
		if lib0.IsUndefined(v) {
			enc.WriteString("undefined")
		} else {
			enc.WriteString(lib0.StringifyJSONLenient(v))
		}
	}
}

func (c *ContentDeleted) Ref() uint8      { return RefDeleted }
func (c *ContentDeleted) Len() uint64     { return c.N }
func (c *ContentDeleted) Countable() bool { return false }
func (c *ContentDeleted) Copy() Content   { return &ContentDeleted{N: c.N} }

func (c *ContentDeleted) Splice(offset uint64) Content {
	right := &ContentDeleted{N: c.N - offset}
	c.N = offset
	return right
}

func (c *ContentDeleted) MergeWith(right Content) bool {
	r, ok := right.(*ContentDeleted)
	if ok {
		c.N += r.N
	}
	return ok
}

func (c *ContentDeleted) Write(enc codec.UpdateEncoder, offset uint64) { enc.WriteLen(c.N - offset) }

func readContentDeleted(dec codec.UpdateDecoder) (Content, error) {
	n, err := dec.ReadLen()
	if err != nil {
		return nil, malformed("deleted length", err)
	}
	if n >= maxClock {
		return nil, fmt.Errorf("%w: deleted length %d", ErrClockOverflow, n)
	}
	return &ContentDeleted{N: n}, nil
}

// readContentAny bounds the declared count by the remaining input before
// allocating: every Any value takes at least one byte of the rest stream.
func readContentAny(dec codec.UpdateDecoder) (Content, error) {
	n, err := dec.ReadLen()
	if err != nil {
		return nil, malformed("any count", err)
	}
	if n > uint64(dec.Rest().Remaining()) {
		return nil, fmt.Errorf("%w: any count %d exceeds the remaining input", ErrMalformed, n)
	}
	vals := make([]any, n)
	for i := range vals {
		if vals[i], err = dec.ReadAny(); err != nil {
			return nil, malformed("any value", err)
		}
	}
	return &ContentAny{Values: vals}, nil
}

// readContentJSON appends instead of preallocating: in v2 the element strings
// come from a run-length column, so the count cannot be bounded up front, but
// every accepted element consumes at least one character (empty text is not JSON).
func readContentJSON(dec codec.UpdateDecoder) (Content, error) {
	n, err := dec.ReadLen()
	if err != nil {
		return nil, malformed("json count", err)
	}
	vals := make([]any, 0, min(n, 64))
	for i := uint64(0); i < n; i++ {
		s, err := dec.ReadString()
		if err != nil {
			return nil, malformed("json element", err)
		}
		if s == "undefined" {
			vals = append(vals, lib0.Undefined)
			continue
		}
		v, err := lib0.ParseJSON(s)
		if err != nil {
			return nil, malformed("json element", err)
		}
		vals = append(vals, v)
	}
	return &ContentJSON{Values: vals}, nil
}
