package core

// applyTombstone deletes a document here for good: the tombstone is persisted, the driver deletes the
// content, and from now on every update for the document (pushed, repaired or local) is ignored. The
// tree holds tombstoneDigest for it, so a replica still holding content differs and is told.
func (n *Node) applyTombstone(doc string) {
	if n.tombs[doc] {
		return
	}
	n.tombs[doc] = true
	n.stats.Tombstones++
	n.persist(pfxTomb+doc, []byte{})
	n.out.Delete = append(n.out.Delete, doc)
	n.setDigest(doc, tombstoneDigest)
}

// IsDeleted reports whether the document carries a tombstone.
func (n *Node) IsDeleted(doc string) bool { return n.tombs[doc] }

// Tombstones lists the deleted documents (the driver mirrors them for writers that must not wait on
// the core).
func (n *Node) Tombstones() []string { return sortedKeys(n.tombs) }
