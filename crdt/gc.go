package crdt

import (
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// gc drops the content of a deleted item (yjs Item.gc). An item whose parent is itself being
// collected is replaced by a GC struct; otherwise it keeps its place (other items may use it as
// an origin) and its content becomes the shared ContentDeleted (collected).
func (s *store) gc(it *item, parentGCd bool) {
	if ct, ok := it.content.(*update.ContentType); ok {
		s.gcType(ct.Type.(*branch))
	}
	if parentGCd {
		s.replace(it, newGC(it.id, it.len()))
		return
	}
	it.content = collected // the item's length is the collected content's (deleted_content.go)
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
	if b.markers != nil {
		b.markers.clear() // the list is gone
	}
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
// returns how many structs were merged away (yjs tryToMergeWithLefts). Yjs merges right to left,
// so the growing run is copied into a new left item at every step: quadratic for Go strings and
// slices (JavaScript's rope strings hide it). The run is found first and merged left to right
// instead, appending into one item: the same result, in linear time.
func tryMergeWithLefts(s *store, client uint64, pos int) int {
	sl := s.structs(client)
	start := pos
	for start > 0 {
		left, right := sl.at(start-1), sl.at(start)
		if left.deleted() != right.deleted() || left.isGC() != right.isGC() || !left.canMergeWith(right) {
			break
		}
		start--
	}
	if start == pos {
		return 0
	}
	head := sl.at(start)
	for i := start + 1; i <= pos; i++ {
		right := sl.at(i)
		if !head.mergeWith(right, &s.textRuns) {
			panic("crdt: a struct run checked mergeable did not merge") // canMergeWith and mergeWith disagree
		}
		if !right.isGC() && right.hasParentSub() && right.place.parent.mapItems[right.key()] == right {
			right.place.parent.mapItems[right.key()] = head
		}
	}
	sl.deleteRange(start+1, pos+1)
	return pos - start
}
