package update

import (
	"github.com/meridian-sync/meridian/crdt/internal/codec"
)

// ID names one clock unit of one client.
type ID = codec.ID

// Kind tells the three struct kinds of the per-client log apart.
type Kind uint8

const (
	// KindItem carries content and takes part in a sequence.
	KindItem Kind = iota
	// KindGC is a tombstone whose content was discarded.
	KindGC
	// KindSkip is a gap placeholder; it exists only in merged updates.
	KindSkip
)

func (k Kind) String() string {
	switch k {
	case KindItem:
		return "Item"
	case KindGC:
		return "GC"
	case KindSkip:
		return "Skip"
	}
	return "Kind(?)"
}

// Info-byte flag bits (yjs-protocol.md §3.2).
const (
	infoOrigin      = 0x80
	infoRightOrigin = 0x40
	infoParentSub   = 0x20
	infoRefMask     = 0x1f
)

// Struct is one decoded struct of an update (GC, Skip or Item), document independent.
type Struct struct {
	Kind   Kind
	ID     ID
	Length uint64
	// Item fields.
	Origin, RightOrigin       ID
	HasOrigin, HasRightOrigin bool
	ParentName                string // root type name, when the parent was written as a name
	ParentID                  ID     // parent Item id, when the parent was written as an ID
	HasParentID               bool
	HasParentName             bool // (both false when the parent is implied by an origin)
	ParentSub                 string
	HasParentSub              bool // info bit 0x20 (may be set even though the key was not written)
	Content                   Content
}

// End is the first clock after the struct.
func (s *Struct) End() uint64 { return s.ID.Clock + s.Length }

// Info is the info byte the struct is written with at offset 0.
func (s *Struct) Info() byte {
	switch s.Kind {
	case KindGC:
		return RefGC
	case KindSkip:
		return RefSkip
	}
	return itemInfo(s, s.HasOrigin)
}

func itemInfo(s *Struct, hasOrigin bool) byte {
	info := s.Content.Ref() & infoRefMask
	if hasOrigin {
		info |= infoOrigin
	}
	if s.HasRightOrigin {
		info |= infoRightOrigin
	}
	if s.HasParentSub {
		info |= infoParentSub
	}
	return info
}

// WriteStruct writes s from unit offset on (yjs-protocol.md §3.8): lengths
// shrink by offset and an Item written from offset > 0 gets the origin
// ID(client, clock+offset-1), which also drops the explicit parent.
func WriteStruct(enc codec.UpdateEncoder, s *Struct, offset uint64) {
	switch s.Kind {
	case KindGC:
		enc.WriteInfo(RefGC)
		enc.WriteLen(s.Length - offset)
		return
	case KindSkip:
		enc.WriteInfo(RefSkip)
		// Skips keep their length in the rest stream even in v2 (yjs Skip.write).
		enc.Rest().WriteVarUint(s.Length - offset)
		return
	}
	origin, hasOrigin := s.Origin, s.HasOrigin
	if offset > 0 {
		origin, hasOrigin = ID{Client: s.ID.Client, Clock: s.ID.Clock + offset - 1}, true
	}
	enc.WriteInfo(itemInfo(s, hasOrigin))
	if hasOrigin {
		enc.WriteLeftID(origin)
	}
	if s.HasRightOrigin {
		enc.WriteRightID(s.RightOrigin)
	}
	if !hasOrigin && !s.HasRightOrigin {
		writeParent(enc, s)
	}
	s.Content.Write(enc, offset)
}

// writeParent writes the explicit parent of an Item that has no origins.
// Decode guarantees one of the two parent forms for such an Item; an Item built
// without either is a programming error of the caller.
func writeParent(enc codec.UpdateEncoder, s *Struct) {
	switch {
	case s.HasParentName:
		enc.WriteParentInfo(true)
		enc.WriteString(s.ParentName)
	case s.HasParentID:
		enc.WriteParentInfo(false)
		enc.WriteLeftID(s.ParentID)
	default:
		panic("update: an Item without origins must carry a parent name or parent ID")
	}
	if s.HasParentSub {
		enc.WriteString(s.ParentSub)
	}
}

// slice returns the part of s from unit diff on, as yjs sliceStruct does for
// the update-level operations: an Item part gets origin ID(client, clock+diff-1)
// and keeps rightOrigin, parent and parentSub. s itself is not modified.
func (s *Struct) slice(diff uint64) Struct {
	r := *s
	r.ID.Clock += diff
	r.Length -= diff
	if s.Kind == KindItem {
		r.Origin, r.HasOrigin = ID{Client: s.ID.Client, Clock: s.ID.Clock + diff - 1}, true
		r.Content = s.Content.Copy().Splice(diff)
	}
	return r
}

// lazyView turns a decoded struct into what Yjs's LazyStructReader (used by
// mergeUpdates, diffUpdate and convertUpdateFormat) sees: the map key is only
// known when it was written, i.e. when the Item has no origins, so the 0x20 bit
// of an Item with an origin is lost when those operations re-encode it.
func (s *Struct) lazyView() {
	if s.Kind == KindItem && (s.HasOrigin || s.HasRightOrigin) {
		s.HasParentSub = false
		s.ParentSub = ""
	}
}
