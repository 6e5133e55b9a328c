package store

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/meridian-sync/meridian/replication/durable"
)

// Replication's bookkeeping lives in the same database as the documents (see doc.go):
const (
	// familyDigest holds a document's digest (crdt Snapshot().Digest()), written in the same batch as the
	// update that produced it, so the anti-entropy hash tree rebuilt at start matches what is stored.
	familyDigest = 'g'
	// familyReplication prefixes the replication core's own records (queues, counters, tombstones).
	familyReplication = 'r'
)

// AppendWithDigest is Append that also records the document's digest after the update, in the same
// synced batch. The server passes the digest of its in-memory document once the update is applied.
func (s *Store) AppendWithDigest(docID string, update []byte, digest [32]byte) Write {
	return Write{s.submit(&op{kind: opAppend, docID: docID, data: update, digest: &digest})}
}

// Digest returns the digest stored with the document's last AppendWithDigest; ok is false when there is
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

// ReplicationStorage is where the replication core keeps its records: a key family of this database.
func (s *Store) ReplicationStorage() *durable.Pebble {
	return durable.NewPebble(s.db, []byte{familyReplication, 0})
}
