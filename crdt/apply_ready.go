package crdt

import "github.com/meridian-sync/meridian/crdt/internal/update"

// integrateReadyBlock integrates an update's only client block when every struct of it can be
// integrated right away: the common case of a peer's transaction arriving in order. It does
// what the general loop of integrateBlocks would do for such a block, without that loop's
// queues, maps and stack (which cost more than the integration of a keystroke). It reports
// false, having changed nothing, when a struct must wait (a gap before the block, a Skip, or
// a dependency on another client's unknown clock); the general loop then takes over.
func (tx *Transaction) integrateReadyBlock(b *update.ClientBlock) bool {
	s := tx.doc.store
	local := s.state(b.Client)
	if len(b.Structs) == 0 || b.Structs[0].ID.Clock > local {
		return false
	}
	// Dependencies on other clients cannot change while this client's structs are added, so
	// checking them all first is the same as checking each in turn.
	for i := range b.Structs {
		st := &b.Structs[i]
		if st.Kind == update.KindSkip {
			return false
		}
		if _, missing := s.missingDependency(st); missing {
			return false
		}
	}
	for i := range b.Structs {
		st := &b.Structs[i]
		if offset := local - st.ID.Clock; local >= st.ID.Clock && offset < st.Length {
			tx.integrateStruct(st, offset)
			local = st.ID.Clock + st.Length
		}
	}
	return true
}
