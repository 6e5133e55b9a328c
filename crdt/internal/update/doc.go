// Package update is the document-independent model of a Yjs update and every
// operation that works on update bytes without building a document.
//
// # The model
//
// An update is a list of client blocks followed by a delete set
// (yjs-protocol.md §3). Decode turns bytes (v1 or v2) into an *Update whose
// blocks hold Structs: Items with their Content, GC tombstones and Skip gaps.
// Encode writes it back; for bytes written by Yjs the round trip is exact.
// The document engine stores the same Content values in its items, so length,
// splitting, merging and writing of content exist only here.
//
//	u, err := update.Decode(b, false) // v1
//	if err != nil { ... }             // malformed input is an error, never a panic
//	for _, blk := range u.Blocks {
//		for _, s := range blk.Structs { ... s.Kind, s.ID, s.Length, s.Content ... }
//	}
//	b2 := u.Encode(true) // the same update as v2
//
// A caller decoding many small v1 updates in a row (a document applying a peer's
// keystrokes) can reuse the decode memory with a Scratch; its Update is valid
// until the next Decode or Release:
//
//	var sc update.Scratch
//	u, err := sc.Decode(b, false)
//	... use u ...
//	sc.Release() // drops references to what u held, keeps small buffers
//
// # Operations on bytes
//
// A server that only stores and relays updates needs no CRDT integration
// (yjs-protocol.md §4.3–4.5):
//
//	merged, err := update.Merge(stored, false)        // = Y.mergeUpdates, near-linear
//	sv, err := update.StateVectorOf(merged, false)    // = Y.encodeStateVectorFromUpdate
//	reply, err := update.Diff(merged, peerSV, false)  // = Y.diffUpdate, sync step 2
//	v2, err := update.Convert(merged, false, true)    // = convertUpdateFormatV1ToV2
//
// Each produces the bytes Yjs produces for the same input. Merge replaces
// Yjs's re-sort of all readers at every step with a heap that picks the same
// reader (see Merge), so merging a quarter million updates takes well under a
// second instead of not finishing.
//
// # Decisions worth knowing
//
//   - Trailing bytes after the delete set are ignored, as Yjs ignores them.
//   - Zero-length structs, contents and delete ranges are rejected
//     (ErrZeroLength): Yjs never writes them and they have no ID.
//   - A v2 update may declare at most 16 structs per input byte plus 1024
//     (ErrTooManyStructs); run-length columns could otherwise make a few bytes
//     ask for 2^50 structs.
//   - Update-level operations see structs as Yjs's lazy reader does: an Item
//     written with an origin loses its parentSub bit (0x20) when re-encoded by
//     Merge, Diff or Convert, exactly as in Yjs. Decode/Encode keep it.
//   - ReadDeleteSet keeps ranges in wire order (as Yjs does, so Diff and
//     Convert copy the delete set verbatim); only a client whose ranges go
//     backwards is written sorted and merged, since v2 cannot express it.
//   - Subdocument options are normalised on read to what Y.Doc keeps (gc,
//     autoLoad, meta), as Yjs does.
package update
