package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication"
)

// updateStore is a replication.Documents keeping each document as one merged v1 update, so a bench
// can hold 100k documents without building 100k crdt.Docs.
type updateStore struct {
	mu      sync.Mutex
	docs    map[string]storedDoc
	applied func(doc string, at time.Time) // called after each peer update, for latency
	seq     uint64                         // the last number given to a local write
}

type storedDoc struct {
	update []byte
	digest [32]byte
}

var _ replication.Documents = (*updateStore)(nil)

func newUpdateStore() *updateStore { return &updateStore{docs: map[string]storedDoc{}} }

// digestOf is the document digest the server keeps: crdt.Snapshot.Digest of the update's state.
func digestOf(u []byte) ([32]byte, error) {
	d := crdt.NewDoc(crdt.WithClientID(1))
	if err := d.ApplyUpdate(u); err != nil {
		return [32]byte{}, err
	}
	return d.Snapshot().Digest(), nil
}

// put stores a document as is (setup: the digest is known).
func (s *updateStore) put(doc string, u []byte, digest [32]byte) {
	s.mu.Lock()
	s.docs[doc] = storedDoc{update: u, digest: digest}
	s.mu.Unlock()
}

func (s *updateStore) digest(doc string) ([32]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.docs[doc]
	return d.digest, ok, nil
}

func (s *updateStore) StateVector(doc string) ([]byte, error) {
	s.mu.Lock()
	d, ok := s.docs[doc]
	s.mu.Unlock()
	if !ok {
		return []byte{0}, nil
	}
	sv, err := crdt.StateVectorFromUpdate(d.update)
	if err != nil {
		return nil, err
	}
	return sv.Encode(), nil
}

func (s *updateStore) Diff(doc string, sv []byte) ([]byte, error) {
	v, err := crdt.DecodeStateVector(sv)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	d, ok := s.docs[doc]
	s.mu.Unlock()
	if !ok {
		return []byte{0, 0}, nil // an empty update: no structs, empty delete set
	}
	return crdt.DiffUpdate(d.update, v)
}

func (s *updateStore) Docs(fn func(string, [32]byte) bool) error {
	s.mu.Lock()
	snapshot := make(map[string][32]byte, len(s.docs))
	for id, d := range s.docs {
		snapshot[id] = d.digest
	}
	s.mu.Unlock()
	for id, d := range snapshot {
		if !fn(id, d) {
			break
		}
	}
	return nil
}

// ApplyPeer applies at once (memory needs no disk wait) and reports from another goroutine.
func (s *updateStore) ApplyPeer(doc string, u []byte, done func(replication.Applied, error)) {
	digest, err := s.apply(doc, u)
	go done(replication.Applied{Doc: doc, Digest: digest, Held: err == nil}, err)
}

// nextSeq numbers a local write, as the server's store does in the write's batch.
func (s *updateStore) nextSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.seq
}

func (s *updateStore) apply(doc string, u []byte) ([32]byte, error) {
	s.mu.Lock()
	cur, ok := s.docs[doc]
	s.mu.Unlock()
	merged := u
	if ok {
		var err error
		if merged, err = crdt.MergeUpdates([][]byte{cur.update, u}); err != nil {
			return [32]byte{}, fmt.Errorf("merging into %q: %w", doc, err)
		}
	}
	digest, err := digestOf(merged)
	if err != nil {
		return [32]byte{}, fmt.Errorf("applying to %q: %w", doc, err)
	}
	s.put(doc, merged, digest)
	if s.applied != nil {
		s.applied(doc, time.Now())
	}
	return digest, nil
}

func (s *updateStore) DeleteDocument(doc string) error {
	s.mu.Lock()
	delete(s.docs, doc)
	s.mu.Unlock()
	return nil
}
