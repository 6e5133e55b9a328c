package crdt

import (
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// gc drops the content of a deleted item (yjs Item.gc). An item whose parent is itself being
// collected is replaced by a GC struct; otherwise it keeps its place (other items may use it as
// an origin) and its content becomes ContentDeleted of the same length.
func (s *store) gc(it *item, parentGCd bool) {
	if ct, ok := it.content.(*update.ContentType); ok {
		s.gcType(ct.Type.(*branch))
	}
	if parentGCd {
		s.replace(it, newGC(it.id, it.length))
		return
	}
	if _, done := it.content.(*update.ContentDeleted); done {
		return // already collected (a loaded document's deleted items arrive so)
	}
	it.content = &update.ContentDeleted{N: it.length}
}

// gcType collects every child of a deleted type (yjs ContentType.gc).
func (s *store) gcType(b *branch) {
	for n := b.start; n != nil; n = n.right {
		s.gc(n, true)
	}
	b.start = nil
	for _, key := range b.mapOrder {
		for n := b.mapItems[key]; n != nil; n = n.left {
			s.gc(n, true)
		}
	}
	b.mapItems = make(map[string]*item)
	b.mapOrder = nil
	b.cursor = cursor{}
}

// tryGCDeleteSet collects the deleted items of a transaction's delete set.
func tryGCDeleteSet(ds update.DeleteSet, s *store) {
	for client, ranges := range ds.Clients {
		for di := len(ranges) - 1; di >= 0; di-- {
			r := ranges[di]
			end := r.Clock + r.Len
			sl := s.structs(client)
			si, ok := sl.find(r.Clock)
			if !ok {
				continue
			}
			for ; si < sl.len() && sl.at(si).id.Clock < end; si++ {
				it := sl.at(si)
				if !it.isGC() && it.deleted() && !it.has(flagKeep) {
					s.gc(it, false)
				}
			}
		}
	}
}

// tryMergeDeleteSet merges structs around every deleted range (they may now be mergeable
// ContentDeleted/GC runs).
func tryMergeDeleteSet(ds update.DeleteSet, s *store) {
	for client, ranges := range ds.Clients {
		for di := len(ranges) - 1; di >= 0; di-- {
			r := ranges[di]
			sl := s.structs(client)
			last, ok := sl.find(r.Clock + r.Len - 1)
			if !ok {
				continue
			}
			si := min(sl.len()-1, 1+last)
			for si > 0 && sl.at(si).id.Clock >= r.Clock {
				si -= 1 + tryMergeWithLefts(s, client, si)
			}
		}
	}
}

// tryMergeWithLefts merges the struct at pos into its left neighbours as far as possible and
// returns how many structs were merged away (yjs tryToMergeWithLefts).
func tryMergeWithLefts(s *store, client uint64, pos int) int {
	sl := s.structs(client)
	i := pos
	for ; i > 0; i-- {
		left, right := sl.at(i-1), sl.at(i)
		if left.deleted() != right.deleted() || left.isGC() != right.isGC() || !left.mergeWith(right) {
			break
		}
		if !right.isGC() && right.hasParentSub() && right.parent.mapItems[right.key()] == right {
			right.parent.mapItems[right.key()] = left
		}
	}
	merged := pos - i
	if merged > 0 {
		sl.deleteRange(pos+1-merged, pos+1)
	}
	return merged
}
