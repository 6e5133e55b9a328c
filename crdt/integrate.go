package crdt

import (
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// missingDependency reports the client whose struct s needs but the store does not hold yet
// (yjs Item.getMissing, first half): origins and an ID parent of other clients.
func (s *store) missingDependency(st *update.Struct) (uint64, bool) {
	if st.Kind != update.KindItem {
		return 0, false
	}
	own := st.ID.Client
	if st.HasOrigin && st.Origin.Client != own && st.Origin.Clock >= s.state(st.Origin.Client) {
		return st.Origin.Client, true
	}
	if st.HasRightOrigin && st.RightOrigin.Client != own && st.RightOrigin.Clock >= s.state(st.RightOrigin.Client) {
		return st.RightOrigin.Client, true
	}
	if st.HasParentID && st.ParentID.Client != own && st.ParentID.Clock >= s.state(st.ParentID.Client) {
		return st.ParentID.Client, true
	}
	return 0, false
}

// missingDependencyClock is missingDependency with the clock of the dependency that is missing.
func (s *store) missingDependencyClock(st *update.Struct) (uint64, uint64, bool) {
	if st.Kind != update.KindItem {
		return 0, 0, false
	}
	own := st.ID.Client
	if st.HasOrigin && st.Origin.Client != own && st.Origin.Clock >= s.state(st.Origin.Client) {
		return st.Origin.Client, st.Origin.Clock, true
	}
	if st.HasRightOrigin && st.RightOrigin.Client != own && st.RightOrigin.Clock >= s.state(st.RightOrigin.Client) {
		return st.RightOrigin.Client, st.RightOrigin.Clock, true
	}
	if st.HasParentID && st.ParentID.Client != own && st.ParentID.Clock >= s.state(st.ParentID.Client) {
		return st.ParentID.Client, st.ParentID.Clock, true
	}
	return 0, 0, false
}

// integrateStruct turns a decoded struct whose dependencies are present into a store struct,
// starting at unit offset (the part below it is already known), and integrates it.
func (tx *Transaction) integrateStruct(st *update.Struct, offset uint64) {
	s := tx.doc.store
	if st.Kind == update.KindGC {
		s.add(newGC(ID{Client: st.ID.Client, Clock: st.ID.Clock + offset}, st.Length-offset))
		return
	}
	it := tx.newRemoteItem()
	it.id, it.content = st.ID, itemContent(st.Content)
	it.setLen(st.Length)
	if it.content.Countable() {
		it.lenFlags |= flagCountable
	}
	if st.HasOrigin {
		it.origin, it.lenFlags = st.Origin, it.lenFlags|flagOrigin
	}
	if st.HasRightOrigin {
		it.rightOrigin, it.lenFlags = st.RightOrigin, it.lenFlags|flagRightOrigin
	}
	parentKnown := tx.resolveRefs(it, st)
	tx.integrate(it, offset, parentKnown)
}

// resolveRefs finds left, right and parent of a remote item (yjs Item.getMissing, second half).
// It reports false when the item must become a GC (its parent or a neighbour was collected).
func (tx *Transaction) resolveRefs(it *item, st *update.Struct) bool {
	s := tx.doc.store
	if it.has(flagOrigin) {
		it.left = s.cleanEnd(tx, it.origin)
		it.origin = it.left.lastID()
	}
	if it.has(flagRightOrigin) {
		it.right = s.cleanStart(tx, it.rightOrigin)
		it.rightOrigin = it.right.id
	}
	switch {
	case (it.left != nil && it.left.isGC()) || (it.right != nil && it.right.isGC()):
		return false
	case st.HasParentName:
		it.place = placeIn(tx.doc.root(st.ParentName), st)
	case st.HasParentID:
		p := s.find(st.ParentID)
		ct, ok := p.content.(*update.ContentType)
		if p.isGC() || !ok {
			return false
		}
		it.place = placeIn(ct.Type.(*branch), st)
	case it.left != nil:
		it.place = it.left.place
	case it.right != nil:
		it.place = it.right.place
	}
	return it.place != nil
}

// placeIn is the place of an item without origins, whose update named its parent p (and its
// map key, when it has one).
func placeIn(p *branch, st *update.Struct) *place {
	if st.HasParentSub {
		return p.keyPlace(st.ParentSub)
	}
	return &p.list
}

// integrate places it in its parent's sequence or map chain (YATA, yjs Item.integrate) and
// appends it to the store. offset > 0 means the first offset units are already known.
func (tx *Transaction) integrate(it *item, offset uint64, parentKnown bool) {
	s := tx.doc.store
	if offset > 0 {
		it.id.Clock += offset
		it.left = s.cleanEnd(tx, ID{Client: it.id.Client, Clock: it.id.Clock - 1})
		it.origin = it.left.lastID()
		it.lenFlags |= flagOrigin
		it.content = spliceContent(it.content, offset)
		it.setLen(it.len() - offset)
	}
	if !parentKnown || it.place == nil {
		s.add(newGC(it.id, it.len()))
		return
	}
	p := it.place.parent
	if (it.left == nil && (it.right == nil || it.right.left != nil)) || (it.left != nil && it.left.right != it.right) {
		it.left = tx.resolveConflict(it)
	}
	// Link it in.
	if it.left != nil {
		it.right = it.left.right
		it.left.right = it
	} else {
		var r *item
		if it.hasParentSub() {
			r = p.mapItems[it.key()]
			for r != nil && r.left != nil {
				r = r.left
			}
		} else {
			r = p.start
			p.start = it
		}
		it.right = r
	}
	if it.right != nil {
		it.right.left = it
	} else if it.hasParentSub() {
		p.setMapItem(it.key(), it)
		if it.left != nil {
			it.left.delete(tx) // the previous value of the key is overwritten
		}
	}
	if !it.hasParentSub() {
		p.invalidateMarkers()
		if it.visible() {
			p.length += int(it.len())
		}
	}
	s.add(it)
	tx.integrateContent(it)
	tx.addChanged(p, it.key(), it.hasParentSub())
	if p.deletedByParent() || (it.hasParentSub() && it.right != nil) {
		it.delete(tx) // inserted into a deleted type, or lost the race for the map key
	}
}

// resolveConflict runs the YATA scan between it.left and it.right and returns the final left
// neighbour. Items with the same origin are ordered by client id (lower goes left); items whose
// origin lies inside the scanned region are skipped over when they belong before us.
func (tx *Transaction) resolveConflict(it *item) *item {
	s := tx.doc.store
	p := it.place.parent
	left := it.left
	var o *item
	switch {
	case left != nil:
		o = left.right
	case it.hasParentSub():
		o = p.mapItems[it.key()]
		for o != nil && o.left != nil {
			o = o.left
		}
	default:
		o = p.start
	}
	conflicting := tx.scratchConflicting()
	before := tx.scratchBefore()
	for o != nil && o != it.right {
		before[o] = struct{}{}
		conflicting[o] = struct{}{}
		if sameOrigin(it, o) {
			if o.id.Client < it.id.Client {
				left = o
				clear(conflicting)
			} else if sameRightOrigin(it, o) {
				break
			}
		} else if o.has(flagOrigin) {
			oo := s.find(o.origin)
			if _, ok := before[oo]; !ok {
				break
			}
			if _, ok := conflicting[oo]; !ok {
				left = o
				clear(conflicting)
			}
		} else {
			break
		}
		o = o.right
	}
	clear(conflicting)
	clear(before)
	return left
}

func sameOrigin(a, b *item) bool {
	if a.has(flagOrigin) != b.has(flagOrigin) {
		return false
	}
	return !a.has(flagOrigin) || a.origin == b.origin
}

func sameRightOrigin(a, b *item) bool {
	if a.has(flagRightOrigin) != b.has(flagRightOrigin) {
		return false
	}
	return !a.has(flagRightOrigin) || a.rightOrigin == b.rightOrigin
}

// integrateContent runs the document hooks yjs keeps in the content classes.
func (tx *Transaction) integrateContent(it *item) {
	switch c := it.content.(type) {
	case *update.ContentType:
		b, _ := c.Type.(*branch)
		if b == nil {
			b = newBranch(c.TypeRef)
			b.nodeName = c.Name
			c.Type = b
		}
		b.integrate(tx, it)
	case *update.ContentFormat:
		it.place.parent.hasFormatting = true
		it.place.parent.invalidateMarkers()
	case *update.ContentDoc:
		tx.subdocsAdded++
	}
}
