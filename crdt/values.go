package crdt

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// Errors returned for bad user input.
var (
	ErrIndexOutOfRange  = errors.New("crdt: index out of range")
	ErrUnsupportedValue = errors.New("crdt: unsupported value")
	ErrTypeIntegrated   = errors.New("crdt: shared type is already part of a document")
	ErrWrongRootKind    = errors.New("crdt: root already defined with another kind")
)

// sharedType is implemented by every public shared type.
type sharedType interface{ branchOf() *branch }

// valueKind classifies a value given to Array.Insert or Map.Set.
type valueKind uint8

const (
	valueAny valueKind = iota
	valueBinary
	valueType
	valueDoc
)

// prepared is a user value checked and converted before any change is made.
type prepared struct {
	kind  valueKind
	value any // canonical Any, []byte, *branch or *Doc
}

// prepareValues validates values up front so a bad one changes nothing.
func prepareValues(values []any) ([]prepared, error) {
	out := make([]prepared, len(values))
	for i, v := range values {
		p, err := prepareValue(v)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

func prepareValue(v any) (prepared, error) {
	switch v := v.(type) {
	case []byte:
		return prepared{kind: valueBinary, value: v}, nil
	case *Doc:
		if v == nil {
			return prepared{}, fmt.Errorf("%w: nil *Doc", ErrUnsupportedValue)
		}
		return prepared{kind: valueDoc, value: v}, nil
	case sharedType:
		b := v.branchOf()
		if b.doc != nil || b.item != nil {
			return prepared{}, ErrTypeIntegrated
		}
		return prepared{kind: valueType, value: b}, nil
	}
	a, err := lib0.NormalizeAny(v)
	if err != nil {
		return prepared{}, fmt.Errorf("%w: %w", ErrUnsupportedValue, err)
	}
	return prepared{kind: valueAny, value: a}, nil
}

// content builds the item content of a single non-Any value.
func (p prepared) content() update.Content {
	switch p.kind {
	case valueBinary:
		return &update.ContentBinary{Data: p.value.([]byte)}
	case valueDoc:
		return docContent(p.value.(*Doc))
	case valueType:
		b := p.value.(*branch)
		return &update.ContentType{TypeRef: b.typeRef, Name: b.nodeName, Type: b}
	}
	return &update.ContentAny{Values: []any{p.value}}
}

// docContent is the ContentDoc of a subdocument (yjs writes only non-default options).
func docContent(sub *Doc) *update.ContentDoc {
	opts := lib0.NewObject()
	if !sub.gc {
		opts.Set("gc", false)
	}
	if sub.autoLoad {
		opts.Set("autoLoad", true)
	}
	return &update.ContentDoc{GUID: sub.guid, Opts: opts}
}

// subdocValue is what reading a ContentDoc yields: an empty, unloaded document carrying the
// guid (subdocument loading is the application's business).
func subdocValue(c *update.ContentDoc) *Doc {
	opts := []Option{WithGUID(c.GUID), WithClientID(0)}
	if o, ok := c.Opts.(lib0.Object); ok {
		if gc, ok := o.Get("gc"); ok && gc == false {
			opts = append(opts, WithGC(false))
		}
		if al, ok := o.Get("autoLoad"); ok && al == true {
			opts = append(opts, WithAutoLoad(true))
		}
	}
	return NewDoc(opts...)
}

// utf16Units splits s into single UTF-16 code units as strings (yjs ContentString.getContent);
// a half of a surrogate pair becomes U+FFFD since Go strings cannot hold lone surrogates.
func utf16Units(s string) []string {
	out := make([]string, 0, len(s))
	for _, r := range s {
		if r >= 0x10000 {
			out = append(out, string(utf8.RuneError), string(utf8.RuneError))
			continue
		}
		out = append(out, string(r))
	}
	return out
}

// utf16Len counts UTF-16 code units.
func utf16Len(s string) int { return lib0.UTF16Len(s) }

// sliceUTF16 returns the part of s between UTF-16 offsets [from, to).
func sliceUTF16(s string, from, to int) string {
	u := utf16.Encode([]rune(s))
	return string(utf16.Decode(u[from:to]))
}

// toJSONValue renders a stored value as yjs toJSON would: nested types become their JSON.
func toJSONValue(v any) any {
	switch v := v.(type) {
	case *Text:
		return v.ToJSON()
	case *Array:
		return v.ToJSON()
	case *Map:
		return v.ToJSON()
	case *XmlElement:
		return v.ToJSON()
	case *XmlFragment:
		return v.ToJSON()
	case *XmlText:
		return v.ToJSON()
	case *XmlHook:
		return v.ToJSON()
	case *Doc:
		return map[string]any{}
	}
	return v
}
