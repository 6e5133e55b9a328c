package store

// opKind is what a committer operation does.
type opKind int

const (
	opAppend opKind = iota
	opCompact
	opDelete
	opRecords
)

// op is one request to the committer; it completes (done closed, err set) once its batch is synced.
type op struct {
	kind  opKind
	docID string
	data  []byte // append: the update; compact: the merged snapshot

	// append only: the document's digest and state vector after this update, stored in the same batch,
	// and whether it is pushed to the peers (nil: none of these).
	state *DocState
	// delete only: the delete is a client's, pushed to the peers.
	replicate bool
	// records only: the replication core's records.
	records []Record

	// compact only: the log entries covered by data.
	uptoSeq, entries, entryBytes uint64

	seq  uint64 // set for an append once committed
	err  error
	done chan struct{}
}

// Write is the pending result of an Append.
type Write struct{ op *op }

// Done is closed once the update is durable (or failed).
func (w Write) Done() <-chan struct{} { return w.op.done }

// Err is the outcome; call it after Done is closed.
func (w Write) Err() error { return w.op.err }

// Seq is the update's position in the document's log; valid after Done when Err is nil.
func (w Write) Seq() uint64 { return w.op.seq }

// Wait blocks until the write completes and returns its error.
func (w Write) Wait() error {
	<-w.op.done
	return w.op.err
}

// Append queues a v1 update for the document's log. It never blocks on disk: the returned Write completes
// when the group commit that carries it has been synced.
func (s *Store) Append(docID string, update []byte) Write {
	return Write{s.submit(&op{kind: opAppend, docID: docID, data: update})}
}

// Delete removes a document's snapshot and log and leaves a tombstone; it returns once that is durable.
// Appends to a deleted document fail with ErrDeleted.
func (s *Store) Delete(docID string) error {
	o := s.submit(&op{kind: opDelete, docID: docID})
	<-o.done
	return o.err
}

// DeleteReplicated is Delete for a client's delete in a cluster: the push entry that spreads the
// tombstone commits in the same batch (and reaches Options.OnNumbered).
func (s *Store) DeleteReplicated(docID string) error {
	o := s.submit(&op{kind: opDelete, docID: docID, replicate: true})
	<-o.done
	return o.err
}

func (s *Store) submit(o *op) *op {
	o.done = make(chan struct{})
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.mu.closed {
		o.err = ErrClosed
		close(o.done)
		return o
	}
	if err := s.health.refusal(); err != nil { // full or failed: refused at once (health.go)
		o.err = err
		close(o.done)
		return o
	}
	s.ops <- o
	return o
}
