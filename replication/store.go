package replication

import "github.com/meridian-sync/meridian/replication/core"

// DocStore is the seam between replication and the regional server's document store.
//
// Replication reads through core.DocReader (digest, state vector, diff, list) and writes through the
// two methods below. Methods are called concurrently with the server's own client writes, and
// ApplyUpdate concurrently for different documents (never for the same one), so the implementation
// must be safe for concurrent use.
type DocStore interface {
	core.DocReader
	// ApplyUpdate durably applies a v1 update from a peer (creating the document if needed), with
	// the new digest in the same batch, and broadcasts it to the document's local clients. The update
	// may merge several peer updates of the document.
	ApplyUpdate(doc string, update []byte) error
	// DeleteDocument removes a document's content (replication keeps its tombstone) and disconnects
	// its local clients.
	DeleteDocument(doc string) error
}
