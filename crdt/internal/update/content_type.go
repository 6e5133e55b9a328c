package update

import (
	"fmt"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
)

// Type refs carried by ContentType (yjs ContentType.js typeRefs).
const (
	TypeRefArray       = 0
	TypeRefMap         = 1
	TypeRefText        = 2
	TypeRefXmlElement  = 3
	TypeRefXmlFragment = 4
	TypeRefXmlHook     = 5
	TypeRefXmlText     = 6
)

// ContentType holds a nested shared type (ref 7).
type ContentType struct {
	TypeRef uint8
	// Name is the node name of an XmlElement or the hook name of an XmlHook
	// (written as a key); empty for the other types.
	Name string
	// Type is the engine's type object; nil in pure update operations.
	Type any
}

// hasName reports whether the type ref carries a node or hook name on the wire.
func hasName(ref uint8) bool { return ref == TypeRefXmlElement || ref == TypeRefXmlHook }

func (c *ContentType) Ref() uint8               { return RefType }
func (c *ContentType) Len() uint64              { return 1 }
func (c *ContentType) Countable() bool          { return true }
func (c *ContentType) MergeWith(r Content) bool { return false }
func (c *ContentType) Splice(o uint64) Content  { return cannotSplit(c, o) }

// Copy keeps the type ref and name but not the engine's type object: a copied
// item must get a fresh, empty type from the engine (yjs type._copy()).
func (c *ContentType) Copy() Content { return &ContentType{TypeRef: c.TypeRef, Name: c.Name} }

func (c *ContentType) Write(enc codec.UpdateEncoder, _ uint64) {
	enc.WriteTypeRef(c.TypeRef)
	if hasName(c.TypeRef) {
		enc.WriteKey(c.Name)
	}
}

func readContentType(dec codec.UpdateDecoder) (Content, error) {
	ref, err := dec.ReadTypeRef()
	if err != nil {
		return nil, malformed("type ref", err)
	}
	if ref > TypeRefXmlText {
		return nil, fmt.Errorf("%w: unknown type ref %d", ErrMalformed, ref)
	}
	c := &ContentType{TypeRef: ref}
	if hasName(ref) {
		if c.Name, err = dec.ReadKey(); err != nil {
			return nil, malformed("type name", err)
		}
	}
	return c, nil
}
