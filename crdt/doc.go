// Package crdt is Meridian's Yjs-compatible document engine: a faithful Go implementation of
// the Yjs data model (YATA), producing byte-identical updates, state vectors and delete sets.
// It is pure: no I/O, no goroutines, no clock.
//
// The usage loop:
//
//	doc := crdt.NewDoc(crdt.WithClientID(1))          // one replica
//	cancel := doc.OnUpdate(func(u []byte, origin any) {
//		// ship u (a v1 update) to peers; origin tells you who caused it
//	})
//	defer cancel()
//
//	text := doc.GetText("t")                          // root types by name
//	doc.Transact(func(tx *crdt.Transaction) {         // several edits, one update
//		_ = text.Insert(0, "hello", nil)              // UTF-16 indexes, as Yjs
//		_ = doc.GetMap("m").Set("k", 1)
//	})
//
//	err := doc.ApplyUpdate(remote)                    // integrate a peer's update; malformed
//	                                                  // input returns an error and changes nothing
//
//	sv := doc.StateVector()                           // sync step 1: what we know
//	diff := doc.EncodeStateAsUpdate(peerSV)           // sync step 2: what the peer lacks
//	full := doc.EncodeStateAsUpdate(nil)              // the whole document
//	digest := doc.Snapshot().Digest()                 // equal content, equal digest
//
// Updates that arrive before what they depend on are kept pending (HasPending) and integrated
// when the gap fills; EncodeStateAsUpdate still relays them. MergeUpdates, DiffUpdate and
// StateVectorFromUpdate work on update bytes without building a document.
//
// Edits made outside Transact run in an implicit transaction of their own. Observers (Observe
// on a type) run after the transaction, before garbage collection; OnUpdate handlers run last.
// A Doc is not safe for concurrent use: serialise access to it.
//
// Values stored in Arrays and Maps are canonical lib0 Any values (nil, bool, int64, float64,
// string, []byte, []any, lib0.Object, ...), nested shared types created with NewText, NewArray,
// NewMap, NewXmlElement, NewXmlText (inserted "prelim", their earlier edits replayed on
// insertion), or *Doc subdocuments (stored by guid; loading them is up to the application).
//
// Internals: each client's structs live in a clock-sorted, chunked list searched by bisection
// (store.go, struct_list.go: a split or merge in the middle of a long history moves one chunk
// of pointers, not the whole tail); integrate.go holds the YATA conflict resolution;
// transaction.go the cleanup (observers, GC, struct merging, update emission) in Yjs's order;
// position.go and markers.go the search markers (up to 16 remembered list positions, kept
// exact across local edits) that make index lookups of local edits short walks, and
// text_position.go the allocation-free path of plain-text keystrokes. ApplyUpdate decodes
// into memory reused from an earlier update (update.Scratch, pooled in apply.go), so a stream
// of small updates allocates little beyond the new items; those items are allocated together,
// one slice per update (item_slab.go). Items are most of a loaded document's memory, so they
// are kept at 96 bytes: flags share the length's word, parent and map key sit behind one
// pointer shared by the items of a list or of a key (item.go, branch.go place), and the
// buffers growing text runs append into are held by the document, not by every text item
// (update.StringRuns). Encoding reuses pooled v2 column buffers and sizes a
// full-state v1 encode from the previous one (encode.go).
package crdt
