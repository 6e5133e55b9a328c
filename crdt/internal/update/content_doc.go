package update

import (
	"fmt"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// ContentDoc is a subdocument (ref 9).
type ContentDoc struct {
	GUID string
	// Opts is the canonical Any options object, normally a lib0.Object with the
	// keys gc (false), autoLoad (true) and meta, in that order.
	Opts any
}

func (c *ContentDoc) Ref() uint8              { return RefDoc }
func (c *ContentDoc) Len() uint64             { return 1 }
func (c *ContentDoc) Countable() bool         { return true }
func (c *ContentDoc) Copy() Content           { return &ContentDoc{GUID: c.GUID, Opts: c.Opts} }
func (c *ContentDoc) MergeWith(Content) bool  { return false }
func (c *ContentDoc) Splice(o uint64) Content { return cannotSplit(c, o) }
func (c *ContentDoc) Write(enc codec.UpdateEncoder, _ uint64) {
	enc.WriteString(c.GUID)
	enc.WriteAny(c.Opts)
}

// readContentDoc mirrors yjs readContentDoc: Yjs builds a Y.Doc from
// {guid, ...opts} and writes back only the options that Doc keeps (gc=false,
// autoLoad=true, meta), so the options are normalised here the same way and
// every re-encoding (merge, diff, convert) gives Yjs's bytes.
func readContentDoc(dec codec.UpdateDecoder) (Content, error) {
	guid, err := dec.ReadString()
	if err != nil {
		return nil, malformed("subdocument guid", err)
	}
	opts, err := dec.ReadAny()
	if err != nil {
		return nil, malformed("subdocument options", err)
	}
	return normalizeDocOpts(guid, opts)
}

func normalizeDocOpts(guid string, opts any) (*ContentDoc, error) {
	if opts == nil || lib0.IsUndefined(opts) {
		// Yjs reads opts.shouldLoad and throws on null or undefined.
		return nil, fmt.Errorf("%w: subdocument options are null", ErrMalformed)
	}
	out := lib0.NewObject()
	obj, isObj := opts.(lib0.Object)
	if !isObj {
		// Spreading a number, string, array or buffer sets none of the keys Doc reads.
		return &ContentDoc{GUID: guid, Opts: out}, nil
	}
	get := func(key string) (any, bool) {
		v, ok := obj.Get(key)
		return v, ok && !lib0.IsUndefined(v) // undefined leaves the Doc default in place
	}
	if g, ok := get("guid"); ok {
		s, isStr := g.(string)
		if !isStr {
			return nil, fmt.Errorf("%w: subdocument options carry a non-string guid", ErrMalformed)
		}
		guid = s
	}
	if v, ok := get("gc"); ok && !truthy(v) {
		out.Set("gc", false)
	}
	if v, ok := get("autoLoad"); ok && truthy(v) {
		out.Set("autoLoad", true)
	}
	if v, ok := get("meta"); ok && v != nil {
		out.Set("meta", v)
	}
	return &ContentDoc{GUID: guid, Opts: out}, nil
}

// truthy is JavaScript's ToBoolean for canonical Any values.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case int64:
		return v != 0
	case float64:
		return v != 0 && v == v // NaN is falsy
	case lib0.BigInt:
		return v != 0
	case string:
		return v != ""
	default:
		return !lib0.IsUndefined(v) // objects, arrays and buffers are truthy
	}
}
