// Package store keeps Meridian documents in an embedded Pebble database.
//
// A document is its latest compacted snapshot (one v1 update) plus the log of updates written since.
// Writes are group-committed: every Append from any connection and any document that arrives while a
// commit is in flight joins the next synced batch, so one fsync makes many updates durable; under load,
// batches start at most once per Options.CommitWindow (2 ms) so that each carries more. An Append's
// Write completes only after its batch is synced, and the server broadcasts and acknowledges an update
// only then. A background compactor merges a document's snapshot and log into a new snapshot once the
// log passes a count or size threshold (2,000 entries or 1 MiB by default), and drops the covered entries in
// the same batch; it rests between merges so that it takes at most Options.CompactionShare of a CPU.
//
// Usage:
//
//	st, err := store.Open(store.Options{Dir: dir, Merge: crdt.MergeUpdates})
//	doc, err := st.Load("team/notes")                 // snapshot + log, or store.ErrDeleted
//	w := st.Append("team/notes", update); <-w.Done(); w.Err()
//	page, next, err := st.List("team/", "", 100)
//	err = st.Delete("team/notes")                      // leaves a tombstone
//	err = st.Close()                                   // flushes pending writes
//
// # Key layout
//
// Every key starts with a one-byte family and a 0x00 separator; document ids never contain 0x00 (the
// server validates them), so `<family> 0x00 <doc id>` sorts documents by id within each family.
//
//	m 0x00 <doc>                 meta: varUint nextSeq, logCount, logBytes, snapshotBytes
//	s 0x00 <doc>                 compacted snapshot: a v1 update
//	l 0x00 <doc> 0x00 <seq>      update log entry, seq big-endian uint64, so entries sort in write order
//	t 0x00 <doc>                 tombstone: varUint deletion time (Unix ms); the document stays deleted
//
// Replication's bookkeeping, in the same database so that a document write and its digest share one batch:
//
//	g 0x00 <doc>                 the document's digest (crdt Snapshot().Digest()) after its last write
//	                             (AppendWithState), for the anti-entropy hash tree
//	v 0x00 <doc>                 the document's encoded state vector after its last write, for repair
//	r 0x00 <record key>          the replication core's records: realtime queues, counters, tombstones,
//	                             and the push log (pushlog.go): a replicated write's entry references its
//	                             log entry, committed in the same batch, and its number comes from the
//	                             commit loop; OnNumbered hands the numbered writes over once synced
package store
