package store

import (
	"bytes"
	"errors"
	"runtime"

	"github.com/cockroachdb/pebble/v2"
)

// LoadMany reads several documents from one consistent view (a Pebble snapshot), calling fn for each in the
// order given, with the document as Load returns it and the state vector stored with its last write (nil
// when none). Given in id order, as replication's sync batches are, it walks each key family forward with
// one iterator, so every block of the store is read once per batch rather than once per document.
func (s *Store) LoadMany(ids []string, fn func(i int, d Document, sv []byte, err error)) error {
	if err := s.open(); err != nil {
		return err
	}
	snap := s.db.NewSnapshot()
	defer snap.Close()
	logs, err := snap.NewIter(&pebble.IterOptions{LowerBound: []byte{familyLog, 0}, UpperBound: []byte{familyLog, 1}})
	if err != nil {
		return err
	}
	defer logs.Close()
	for i, id := range ids {
		d, sv, err := loadWith(snap, logs, id)
		fn(i, d, sv, err)
		if i%loadManyYieldEvery == loadManyYieldEvery-1 {
			// A batch is tens of milliseconds of reading. On a node with one CPU for Go (GOMAXPROCS 1)
			// the clients' goroutines would wait for the scheduler to preempt it (10 ms slices): yield
			// every few documents so a client write is never queued behind a repair read.
			runtime.Gosched()
		}
	}
	return nil
}

// loadManyYieldEvery is how many documents LoadMany reads between yields (about a millisecond of work).
const loadManyYieldEvery = 16

// loadWith is loadFrom with a reusable log iterator, plus the stored state vector.
func loadWith(snap *pebble.Snapshot, logs *pebble.Iterator, docID string) (Document, []byte, error) {
	if _, err := get(snap, docKey(familyTombstone, docID)); err == nil {
		return Document{}, nil, ErrDeleted
	} else if !errors.Is(err, pebble.ErrNotFound) {
		return Document{}, nil, err
	}
	metaBytes, err := get(snap, docKey(familyMeta, docID))
	if errors.Is(err, pebble.ErrNotFound) {
		return Document{Info: DocInfo{ID: docID}}, nil, nil
	} else if err != nil {
		return Document{}, nil, err
	}
	d := Document{Exists: true}
	if d.Info, err = decodeDocInfo(docID, metaBytes); err != nil {
		return Document{}, nil, err
	}
	if d.Snapshot, err = get(snap, docKey(familySnapshot, docID)); err != nil && !errors.Is(err, pebble.ErrNotFound) {
		return Document{}, nil, err
	}
	lower, upper := logBounds(docID)
	for logs.SeekGE(lower); logs.Valid() && bytes.Compare(logs.Key(), upper) < 0; logs.Next() {
		d.Updates = append(d.Updates, bytes.Clone(logs.Value()))
	}
	if err := logs.Error(); err != nil {
		return Document{}, nil, err
	}
	sv, err := get(snap, docKey(familyStateVector, docID))
	if err != nil && !errors.Is(err, pebble.ErrNotFound) {
		return Document{}, nil, err
	}
	return d, sv, nil
}
