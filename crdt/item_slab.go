package crdt

import "github.com/meridian-sync/meridian/crdt/internal/update"

// Loading a document integrates one item per decoded struct. Allocating them one by one was
// a fifth of a load's time (malloc, plus the GC assists those ten thousand small objects
// caused), so ApplyUpdate counts the items of the update first and allocates them as one
// slice, which integrateStruct then hands out.
//
// The trade-off: the slice lives as long as any of its items does. An item that is later
// split, merged away or collected no longer frees its own 112 bytes; its neighbours in the
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

// countItems is the number of structs of kind item in blocks: the items integrating them
// can create (fewer when some are already known or wait for missing dependencies).
func countItems(blocks []update.ClientBlock) int {
	n := 0
	for bi := range blocks {
		for si := range blocks[bi].Structs {
			if blocks[bi].Structs[si].Kind == update.KindItem {
				n++
			}
		}
	}
	return n
}
