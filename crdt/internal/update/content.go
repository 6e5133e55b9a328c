package update

import (
	"fmt"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
)

// Content is the payload of an Item (yjs src/structs/Content*.js without the
// document hooks: integrate, delete and gc belong to the engine).
//
// Lengths and offsets count CRDT units: one per element, UTF-16 code units for
// strings.
type Content interface {
	// Ref is the wire content ref (the low five bits of the info byte).
	Ref() uint8
	// Len is the number of clocks the content covers.
	Len() uint64
	// Countable reports whether the content counts towards list length and
	// index positions (false for Deleted and Format).
	Countable() bool
	// Splice splits the content in place: the receiver keeps [0,offset) and the
	// result holds [offset,Len()). Callers guarantee 0 < offset < Len(); contents
	// of length 1 can never be split.
	Splice(offset uint64) Content
	// MergeWith appends right's payload to the receiver when Yjs would merge the
	// two contents (String, Any, JSON and Deleted of the same kind) and reports
	// whether it did.
	MergeWith(right Content) bool
	// Copy returns an independent copy (ContentType copies drop the engine type).
	Copy() Content
	// Write encodes the payload starting at unit offset (0 <= offset < Len()).
	Write(enc codec.UpdateEncoder, offset uint64)
}

// Content refs as written in the low five bits of an Item's info byte.
const (
	RefGC      = 0
	RefDeleted = 1
	RefJSON    = 2
	RefBinary  = 3
	RefString  = 4
	RefEmbed   = 5
	RefFormat  = 6
	RefType    = 7
	RefAny     = 8
	RefDoc     = 9
	RefSkip    = 10
)

// ReadContent decodes the content of an Item whose info byte is info.
func ReadContent(dec codec.UpdateDecoder, info byte) (Content, error) {
	ref := info & 0x1f
	var (
		c   Content
		err error
	)
	switch ref {
	case RefDeleted:
		c, err = readContentDeleted(dec)
	case RefJSON:
		c, err = readContentJSON(dec)
	case RefBinary:
		c, err = readContentBinary(dec)
	case RefString:
		c, err = readContentString(dec)
	case RefEmbed:
		c, err = readContentEmbed(dec)
	case RefFormat:
		c, err = readContentFormat(dec)
	case RefType:
		c, err = readContentType(dec)
	case RefAny:
		c, err = readContentAny(dec)
	case RefDoc:
		c, err = readContentDoc(dec)
	default:
		return nil, fmt.Errorf("%w %d", ErrUnknownContent, ref)
	}
	if err != nil {
		return nil, err
	}
	if c.Len() == 0 {
		return nil, fmt.Errorf("%w: content ref %d", ErrZeroLength, ref)
	}
	return c, nil
}

// malformed wraps a lower-level decoding error so that both ErrMalformed and
// the original sentinel are visible to errors.Is.
func malformed(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrMalformed, what, err)
}
