package update

import (
	"fmt"
)

// readStruct reads one struct whose first clock is id (yjs readClientsStructRefs
// and lazyStructReaderGenerator, with their throw-on-garbage behaviour turned
// into errors).
func (r *structReader) readStruct(id ID) (Struct, error) {
	info, err := r.dec.ReadInfo()
	if err != nil {
		return Struct{}, malformed("info byte", err)
	}
	switch info & infoRefMask {
	case RefGC:
		// Yjs treats any info with ref 0 as a GC, whatever its flag bits.
		n, err := r.dec.ReadLen()
		if err != nil {
			return Struct{}, malformed("GC length", err)
		}
		return sizedStruct(KindGC, id, n)
	case RefSkip:
		if info != RefSkip {
			// The lazy reader of mergeUpdates/diffUpdate only knows info 10 as a
			// Skip and fails on a Skip ref with flag bits.
			return Struct{}, fmt.Errorf("%w: skip with info %#02x", ErrUnknownContent, info)
		}
		n, err := r.dec.Rest().ReadVarUint()
		if err != nil {
			return Struct{}, malformed("skip length", err)
		}
		return sizedStruct(KindSkip, id, n)
	}
	return r.readItem(id, info)
}

func sizedStruct(kind Kind, id ID, n uint64) (Struct, error) {
	if n == 0 {
		return Struct{}, fmt.Errorf("%w: %v at %d:%d", ErrZeroLength, kind, id.Client, id.Clock)
	}
	return Struct{Kind: kind, ID: id, Length: n}, nil
}

func (r *structReader) readItem(id ID, info byte) (Struct, error) {
	if ref := info & infoRefMask; ref > RefDoc {
		return Struct{}, fmt.Errorf("%w %d at %d:%d", ErrUnknownContent, ref, id.Client, id.Clock)
	}
	s := Struct{Kind: KindItem, ID: id, HasParentSub: info&infoParentSub != 0}
	var err error
	if info&infoOrigin != 0 {
		s.HasOrigin = true
		if s.Origin, err = r.dec.ReadLeftID(); err != nil {
			return Struct{}, malformed("origin", err)
		}
	}
	if info&infoRightOrigin != 0 {
		s.HasRightOrigin = true
		if s.RightOrigin, err = r.dec.ReadRightID(); err != nil {
			return Struct{}, malformed("right origin", err)
		}
	}
	if !s.HasOrigin && !s.HasRightOrigin {
		if err := r.readParent(&s); err != nil {
			return Struct{}, err
		}
	}
	if s.Content, err = ReadContent(r.dec, info); err != nil {
		return Struct{}, err
	}
	s.Length = s.Content.Len()
	return s, nil
}

// readParent reads the explicit parent (and map key) of an Item without origins.
func (r *structReader) readParent(s *Struct) error {
	byName, err := r.dec.ReadParentInfo()
	if err != nil {
		return malformed("parent info", err)
	}
	if byName {
		s.HasParentName = true
		if s.ParentName, err = r.dec.ReadString(); err != nil {
			return malformed("parent name", err)
		}
	} else {
		s.HasParentID = true
		if s.ParentID, err = r.dec.ReadLeftID(); err != nil {
			return malformed("parent id", err)
		}
	}
	if s.HasParentSub {
		if s.ParentSub, err = r.dec.ReadString(); err != nil {
			return malformed("parent sub", err)
		}
	}
	return nil
}
