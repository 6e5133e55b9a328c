package store

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Replication's bookkeeping lives in the same database as the documents (see doc.go):
const (
	// familyDigest holds a document's digest (crdt Snapshot().Digest()), written in the same batch as the
	// update that produced it, so the anti-entropy hash tree rebuilt at start matches what is stored.
	familyDigest = 'g'
	// familyStateVector holds the document's encoded state vector after its last write, for repair.
	familyStateVector = 'v'
	// familyReplication holds the replication core's records and the push log (pushlog.go).
	familyReplication = 'r'
)

// AppendWithState is Append that also records the document's digest and state vector after the update
// in the same synced batch and, with st.Replicate, numbers the write and adds its push-log entry there
// too: one write, one synced batch. The numbered write reaches Options.OnNumbered once durable.
func (s *Store) AppendWithState(docID string, update []byte, st DocState) Write {
	return Write{s.submit(&op{kind: opAppend, docID: docID, data: update, state: &st})}
}

// Digest returns the digest stored with the document's last AppendWithState; ok is false when there is
// none (an unknown or deleted document, or one written before replication was enabled).
func (s *Store) Digest(docID string) (digest [32]byte, ok bool, err error) {
	if err := s.open(); err != nil {
		return digest, false, err
	}
	b, err := get(s.db, docKey(familyDigest, docID))
	switch {
	case errors.Is(err, pebble.ErrNotFound):
		return digest, false, nil
	case err != nil:
		return digest, false, err
	case len(b) != len(digest):
		return digest, false, fmt.Errorf("%w: digest of %q has %d bytes", ErrCorrupt, docID, len(b))
	}
	copy(digest[:], b)
	return digest, true, nil
}
