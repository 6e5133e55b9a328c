package crdt

import "github.com/meridian-sync/meridian/crdt/internal/update"

// Loading a document integrates one item per decoded struct. Allocating them one by one was
// a fifth of a load's time (malloc, plus the GC assists those ten thousand small objects
// caused), so ApplyUpdate counts the items of the update first and allocates them as one
// slice, which integrateStruct then hands out.
//
// The trade-off: the slice lives as long as any of its items does. An item that is later
// split, merged away or collected no longer frees its own 96 bytes; its neighbours in the
// slab do that together. A loaded document keeps nearly all of its items, and an update of a
// few structs makes a slab of a few items, so in practice nothing is retained that a
// per-item allocation would have freed early.

// reserveItems prepares room for the n items of the update about to be integrated.
func (tx *Transaction) reserveItems(n int) {
	if n > 1 {
		tx.itemSlab = make([]item, n)
	}
}

// releaseItems drops the unused rest of the reservation, so that the transaction, which is
// recycled for the next one, does not keep the slab alive.
func (tx *Transaction) releaseItems() { tx.itemSlab = nil }

// newRemoteItem returns a zeroed item, from the reservation while it lasts.
func (tx *Transaction) newRemoteItem() *item {
	if len(tx.itemSlab) == 0 {
		return new(item)
	}
	it := &tx.itemSlab[0]
	tx.itemSlab = tx.itemSlab[1:]
	return it
}

// countItems is the number of items integrating blocks can create: its structs of kind item
// that are not wholly known to s already (fewer when some wait for missing dependencies). An
// update that overlaps what the document holds, as sync and anti-entropy send, must not
// reserve items for its known part: the unused reservation would stay allocated beside the
// items taken from it for as long as they live.
func countItems(blocks []update.ClientBlock, s *store) int {
	n := 0
	for bi := range blocks {
		known := s.state(blocks[bi].Client)
		for si := range blocks[bi].Structs {
			if st := &blocks[bi].Structs[si]; st.Kind == update.KindItem && st.End() > known {
				n++
			}
		}
	}
	return n
}
