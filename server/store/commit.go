package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
)

// commitLoop is the single writer. Taking every queued op into one synced batch is the group commit: while
// one fsync runs, new ops pile up in the channel and all of them share the next one. The commit window
// spaces batches out under load so that each carries more ops (Options.CommitWindow says why).
func (s *Store) commitLoop() {
	defer s.wg.Done()
	var lastStart time.Time
	known := newMetaCache()
	for first := range s.ops {
		if wait := s.opts.CommitWindow - time.Since(lastStart); wait > 0 {
			time.Sleep(wait)
		}
		lastStart = time.Now()
		batch := []*op{first}
	drain:
		for len(batch) < s.opts.MaxBatchOps {
			select {
			case o, ok := <-s.ops:
				if !ok {
					break drain
				}
				batch = append(batch, o)
			default:
				break drain
			}
		}
		s.commit(batch, known)
	}
}

// batchState caches, per batch, what the ops of one document need: its meta and whether it is deleted.
type batchState struct {
	s       *Store
	b       *pebble.Batch
	known   *metaCache // what committed batches left, so a busy document's meta is not read back every batch
	metas   map[string]*DocInfo
	deleted map[string]bool
	// The push numbering as of this batch, and the writes it numbered (pushlog.go).
	pushSeq  uint64
	numbered []Numbered
}

func (s *Store) commit(ops []*op, known *metaCache) {
	if !s.admitBatch(ops) { // storage full or failed: refused at once, before Pebble (health.go)
		return
	}
	st := &batchState{s: s, b: s.db.NewBatch(), known: known, metas: map[string]*DocInfo{}, deleted: map[string]bool{},
		pushSeq: s.pushSeq}
	defer st.b.Close()
	var failed error
	for _, o := range ops {
		if failed == nil {
			o.err = st.apply(o)
			if o.err != nil && !errors.Is(o.err, ErrDeleted) {
				failed = o.err
			}
		}
	}
	for id, m := range st.metas {
		if !st.deleted[id] {
			failed = errors.Join(failed, st.b.Set(docKey(familyMeta, id), m.encode(), nil))
		}
	}
	if st.pushSeq != s.pushSeq {
		failed = errors.Join(failed, st.b.Set(replicationKey(pushSeqKey), appendUvarint(nil, st.pushSeq), nil))
	}
	lazy := true // no fsync when every op of the batch allows it (DocState.Lazy)
	for _, o := range ops {
		lazy = lazy && o.state != nil && o.state.Lazy && o.kind == opAppend
	}
	start := time.Now()
	if failed == nil {
		failed = s.syncBatch(st.b, lazy) // a failure is fatal to Pebble: ErrFailed from here on
	}
	took := time.Since(start)
	if failed != nil {
		s.opts.Logger.Error("store commit failed", "ops", len(ops), "err", failed)
		known.forget(st)
	} else {
		known.remember(st)
		s.pushSeq = st.pushSeq
		if f := s.opts.OnNumbered; f != nil && len(st.numbered) > 0 {
			f(st.numbered)
		}
	}
	for _, o := range ops {
		if failed != nil && o.err == nil {
			o.err = fmt.Errorf("meridian/store: commit: %w", failed)
		}
		close(o.done)
	}
	if failed == nil && !lazy {
		if f := s.opts.Observer.Committed; f != nil {
			f(len(ops), st.b.Len(), took)
		}
		for id, m := range st.metas {
			if !st.deleted[id] && (m.LogCount >= s.opts.CompactLogCount || m.LogBytes >= s.opts.CompactLogBytes) {
				s.requestCompaction(id)
			}
		}
	}
}

// meta returns the document's meta as of this batch, reading it from the database the first time.
func (st *batchState) meta(docID string) (*DocInfo, error) {
	if m, ok := st.metas[docID]; ok {
		return m, nil
	}
	if deleted, ok := st.deleted[docID]; ok && deleted {
		return nil, ErrDeleted
	}
	if info, deleted, ok := st.known.lookup(docID); ok {
		if deleted {
			st.deleted[docID] = true
			return nil, ErrDeleted
		}
		m := &info
		st.metas[docID] = m
		return m, nil
	}
	if _, err := get(st.s.db, docKey(familyTombstone, docID)); err == nil {
		st.deleted[docID] = true
		return nil, ErrDeleted
	} else if !errors.Is(err, pebble.ErrNotFound) {
		return nil, err
	}
	m := &DocInfo{ID: docID}
	b, err := get(st.s.db, docKey(familyMeta, docID))
	switch {
	case err == nil:
		if *m, err = decodeDocInfo(docID, b); err != nil {
			return nil, err
		}
	case !errors.Is(err, pebble.ErrNotFound):
		return nil, err
	}
	st.metas[docID] = m
	return m, nil
}

func (st *batchState) apply(o *op) error {
	switch o.kind {
	case opAppend:
		m, err := st.meta(o.docID)
		if err != nil {
			return err
		}
		o.seq = m.nextSeq
		m.nextSeq++
		m.LogCount++
		m.LogBytes += uint64(len(o.data))
		if err := st.b.Set(logKey(o.docID, o.seq), o.data, nil); err != nil {
			return err
		}
		return st.recordState(o)
	case opCompact:
		m, err := st.meta(o.docID)
		if err != nil {
			return err
		}
		m.LogCount -= min(m.LogCount, o.entries)
		m.LogBytes -= min(m.LogBytes, o.entryBytes)
		m.SnapshotBytes = uint64(len(o.data))
		lower, _ := logBounds(o.docID)
		return errors.Join(st.b.Set(docKey(familySnapshot, o.docID), o.data, nil),
			st.b.DeleteRange(lower, logKey(o.docID, o.uptoSeq+1), nil))
	case opDelete:
		if _, err := st.meta(o.docID); err != nil {
			return err
		}
		delete(st.metas, o.docID)
		st.deleted[o.docID] = true
		lower, upper := logBounds(o.docID)
		stamp := appendUvarint(nil, uint64(time.Now().UnixMilli()))
		err := errors.Join(st.b.DeleteRange(lower, upper, nil),
			st.b.Delete(docKey(familySnapshot, o.docID), nil),
			st.b.Delete(docKey(familyMeta, o.docID), nil),
			st.b.Delete(docKey(familyDigest, o.docID), nil),
			st.b.Delete(docKey(familyStateVector, o.docID), nil),
			st.b.Set(docKey(familyTombstone, o.docID), stamp, nil))
		if err != nil || !o.replicate {
			return err
		}
		return st.number(Numbered{Doc: o.docID, Deleted: true}, encodeRef(o.docID, 0, true))
	case opRecords:
		return st.saveRecords(o.records)
	}
	return fmt.Errorf("meridian/store: unknown op %d", o.kind)
}

// recordState writes an append's digest and state vector and, for a replicated write, its push entry:
// a reference to the log entry just written, not a copy of the update.
func (st *batchState) recordState(o *op) error {
	if o.state == nil {
		return nil
	}
	err := errors.Join(st.b.Set(docKey(familyDigest, o.docID), o.state.Digest[:], nil),
		st.b.Set(docKey(familyStateVector, o.docID), o.state.StateVector, nil))
	if err != nil || !o.state.Replicate {
		return err
	}
	return st.number(Numbered{Doc: o.docID, Update: o.data, Digest: o.state.Digest, StateVector: o.state.StateVector},
		encodeRef(o.docID, o.seq, false))
}

// number gives a replicated write the next push number and writes its entry.
func (st *batchState) number(w Numbered, ref []byte) error {
	st.pushSeq++
	w.Seq = st.pushSeq
	st.numbered = append(st.numbered, w)
	return st.b.Set(replicationKey(pushLogKey(w.Seq)), ref, nil)
}

// saveRecords writes the replication core's records; a "seq" record only ever raises the numbering.
func (st *batchState) saveRecords(records []Record) error {
	for _, r := range records {
		if r.Key == pushSeqKey {
			if v, n := uvarint(r.Value); n > 0 && v > st.pushSeq {
				st.pushSeq = v
			}
			continue // written once at the end of the batch
		}
		var err error
		if r.Value == nil {
			err = st.b.Delete(replicationKey(r.Key), nil)
		} else {
			err = st.b.Set(replicationKey(r.Key), r.Value, nil)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
