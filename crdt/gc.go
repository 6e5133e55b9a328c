package crdt

import (
	"slices"

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
			si, ok := findIndex(sl, r.Clock)
			if !ok {
				continue
			}
			for ; si < len(sl) && sl[si].id.Clock < end; si++ {
				it := sl[si]
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
			last, ok := findIndex(sl, r.Clock+r.Len-1)
			if !ok {
				continue
			}
			si := min(len(sl)-1, 1+last)
			for si > 0 && s.structs(client)[si].id.Clock >= r.Clock {
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
		left, right := sl[i-1], sl[i]
		if left.deleted() != right.deleted() || left.isGC() != right.isGC() || !left.mergeWith(right) {
			break
		}
		if !right.isGC() && right.hasParentSub() && right.parent.mapItems[right.parentSub] == right {
			right.parent.mapItems[right.parentSub] = left
		}
	}
	merged := pos - i
	if merged > 0 {
		p := s.clients[client]
		*p = slices.Delete(*p, pos+1-merged, pos+1)
	}
	return merged
}
