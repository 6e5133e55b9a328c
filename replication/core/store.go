package core

// DocReader is the read side of the document store that the core consults synchronously, as raft's
// core reads its Storage. Writes never go through it: the core returns them in Ready for the driver to
// perform, and learns the digests they produce from DurableWrite and Advance, never by reading back.
// Implementations are the regional server's Pebble store and the simulation's in-memory docs.
//
// StateVector and Diff serve repair; they must be cheap and must not take any lock a client write
// needs (the server keeps each document's state vector beside its digest, and diffs stored bytes).
//
// The core calls these methods only from inside its own methods, so an implementation needs to be safe
// only against the other writers of the store (the server's clients), not against the core.
type DocReader interface {
	// StateVector is the document's encoded state vector (crdt.Doc.EncodeStateVector); for a document
	// the store does not hold, the encoding of the empty state vector.
	StateVector(doc string) ([]byte, error)
	// Diff is the v1 update holding everything the document has that the encoded state vector sv
	// lacks, with the complete delete set (crdt.Doc.EncodeStateAsUpdate(sv)).
	Diff(doc string, sv []byte) ([]byte, error)
	// Docs calls fn with every held document and its digest until fn returns false; used once at
	// start to rebuild the hash tree.
	Docs(fn func(doc string, digest [32]byte) bool) error
}

// BatchReader is a DocReader that can answer a whole sync batch in one pass (one consistent view of the
// store, documents in the order given, which is id order): serving a bootstrap reads every document once,
// and a pass over sorted keys reads each block of the store once instead of once per document. Optional.
type BatchReader interface {
	// ReadBatch returns, for each document, Diff(docs[i], svs[i]) and StateVector(docs[i]).
	ReadBatch(docs []string, svs [][]byte) (diffs, stateVectors [][]byte, err error)
}
