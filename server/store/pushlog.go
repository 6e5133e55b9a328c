package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cockroachdb/pebble/v2"
)

// The push log: replication's queue of this node's client writes, kept in the replication family so a
// client write, its digest and state vector, and its push entry commit in one synced batch. An entry
// does not copy the update: it references the document log entry written in the same batch. The keys
// are the replication core's own record keys (replication.PushRecord's, and "seq"), so the core's records
// and these share one family; server/replicate_keys_test.go checks the two agree.
//
//	r 0x00 seq                  uvarint: the last number given to a replicated write
//	r 0x00 log/<seq %020d>      0xff, uvarint len, doc id, uvarint document log seq (a reference)
//	                            0xfe, uvarint len, doc id                          (a delete)
//
// Numbers are given out by the commit loop, in commit order, and only to writes whose batch synced.
const (
	pushSeqKey    = "seq"
	pushLogPrefix = "log/"
	refUpdate     = 0xff
	refDelete     = 0xfe
)

// Numbered is a replicated write the store made durable with its push entry: what the server hands to
// replication (replication.DurableWrite).
type Numbered struct {
	Doc         string
	Update      []byte // nil for a delete
	Digest      [32]byte
	StateVector []byte
	Seq         uint64
	Deleted     bool
}

// DocState is what a write records beside the update, in the same batch: the document's digest and
// state vector after it (so replication's tree and repair never rebuild a document to learn them), and
// whether the write is a client's that replication pushes to the peers.
type DocState struct {
	Digest      [32]byte
	StateVector []byte
	Replicate   bool
	// Lazy lets the write's batch commit without an fsync when every write in it is lazy: a bootstrapping
	// node's copies, which it acknowledges to no client and would copy again after a crash. The next synced
	// commit (the bootstrap's end, or any client's write) makes them durable too, the log being one sequence.
	Lazy bool
}

// Record is one raw record of the replication family (Value nil: delete).
type Record struct {
	Key   string
	Value []byte
}

func pushLogKey(seq uint64) string { return fmt.Sprintf("%s%020d", pushLogPrefix, seq) }

func replicationKey(key string) []byte { return docKey(familyReplication, key) }

func encodeRef(doc string, logSeq uint64, deleted bool) []byte {
	tag := byte(refUpdate)
	if deleted {
		tag = refDelete
	}
	b := []byte{tag}
	b = binary.AppendUvarint(b, uint64(len(doc)))
	b = append(b, doc...)
	if !deleted {
		b = binary.AppendUvarint(b, logSeq)
	}
	return b
}

func decodeRef(b []byte) (doc string, logSeq uint64, deleted, ok bool) {
	if len(b) == 0 || (b[0] != refUpdate && b[0] != refDelete) {
		return "", 0, false, false
	}
	deleted = b[0] == refDelete
	n, k := binary.Uvarint(b[1:])
	if k <= 0 || k != uvarintLen(n) || uint64(len(b)-1-k) < n {
		return "", 0, false, false
	}
	rest := b[1+k:]
	doc, rest = string(rest[:n]), rest[n:]
	if deleted {
		return doc, 0, true, len(rest) == 0
	}
	logSeq, k = binary.Uvarint(rest)
	return doc, logSeq, false, k > 0 && k == len(rest) && k == uvarintLen(logSeq)
}

// uvarintLen is the length of v's canonical encoding: a reference is read only in the form encodeRef writes.
func uvarintLen(v uint64) int {
	var buf [binary.MaxVarintLen64]byte
	return binary.PutUvarint(buf[:], v)
}

// ReplicationRecords reads the replication family: the core's own records as stored, and the push
// entries resolved to the writes they reference. An entry whose log entry a compaction has since
// merged into the snapshot carries the document's whole stored state instead (a superset of the
// update: applying it is harmless); one whose document was deleted since becomes a delete.
func (s *Store) ReplicationRecords() (records []Record, pushes []Numbered, err error) {
	if err := s.open(); err != nil {
		return nil, nil, err
	}
	snap := s.db.NewSnapshot()
	defer snap.Close()
	lower, upper := familyBounds(familyReplication, "")
	it, err := snap.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, nil, err
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		key := string(it.Key()[2:])
		doc, logSeq, deleted, isRef := decodeRef(it.Value())
		if !strings.HasPrefix(key, pushLogPrefix) || !isRef {
			records = append(records, Record{Key: key, Value: append([]byte{}, it.Value()...)})
			continue
		}
		seq, perr := strconv.ParseUint(key[len(pushLogPrefix):], 10, 64)
		if perr != nil {
			return nil, nil, fmt.Errorf("%w: push entry %q", ErrCorrupt, key)
		}
		w := Numbered{Doc: doc, Seq: seq, Deleted: deleted}
		if !deleted {
			if w.Update, w.Deleted, err = s.resolve(snap, doc, logSeq); err != nil {
				return nil, nil, err
			}
		}
		pushes = append(pushes, w)
	}
	return records, pushes, it.Error()
}

// resolve returns the referenced log entry, or the document's whole state when it was compacted away.
func (s *Store) resolve(snap *pebble.Snapshot, doc string, logSeq uint64) (update []byte, deleted bool, err error) {
	u, err := get(snap, logKey(doc, logSeq))
	if err == nil {
		return u, false, nil
	}
	if !errors.Is(err, pebble.ErrNotFound) {
		return nil, false, err
	}
	d, _, err := loadFrom(snap, doc)
	if errors.Is(err, ErrDeleted) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	parts := d.Updates
	if d.Snapshot != nil {
		parts = append([][]byte{d.Snapshot}, parts...)
	}
	if len(parts) == 1 || s.opts.Merge == nil {
		return parts[0], false, nil
	}
	merged, err := s.opts.Merge(parts)
	return merged, false, err
}

// SaveReplicationRecords writes the replication core's records through the commit loop, so they share
// a synced batch with client writes; it returns once they are durable. A "seq" record raises the push
// numbering to at least its value (the core raises it when a peer remembers numbers this node lost).
func (s *Store) SaveReplicationRecords(records []Record) error {
	if len(records) == 0 {
		return nil
	}
	o := s.submit(&op{kind: opRecords, records: records})
	<-o.done
	return o.err
}

// ReplicationRecord reads one of replication's records by key.
func (s *Store) ReplicationRecord(key string) (value []byte, ok bool, err error) {
	if err := s.open(); err != nil {
		return nil, false, err
	}
	v, err := get(s.db, replicationKey(key))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	return v, err == nil, err
}

// StateVector returns the state vector stored with the document's last write; ok is false when there is
// none (an unknown or deleted document, or one written before it was kept).
func (s *Store) StateVector(docID string) (sv []byte, ok bool, err error) {
	if err := s.open(); err != nil {
		return nil, false, err
	}
	b, err := get(s.db, docKey(familyStateVector, docID))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	return b, err == nil, err
}
