package store

import (
	"errors"
	"time"
)

func (s *Store) requestCompaction(docID string) {
	if s.opts.Merge == nil || !s.claimCompaction(docID) {
		return
	}
	select {
	case s.compactCh <- docID:
	default:
		// The queue is full: the document is asked again at its next commit, so dropping is safe.
		s.releaseCompaction(docID)
	}
}

// claimCompaction makes sure one compaction at a time runs per document: two would both subtract the
// same log entries from the document's counters.
func (s *Store) claimCompaction(docID string) bool {
	s.compactMu.Lock()
	defer s.compactMu.Unlock()
	if s.compactMu.queued[docID] {
		return false
	}
	s.compactMu.queued[docID] = true
	return true
}

func (s *Store) releaseCompaction(docID string) {
	s.compactMu.Lock()
	defer s.compactMu.Unlock()
	delete(s.compactMu.queued, docID)
}

func (s *Store) compactLoop() {
	defer s.wg.Done()
	for {
		select {
		case <-s.stop:
			return
		case docID := <-s.compactCh:
			work, err := s.compact(docID)
			if err != nil && !errors.Is(err, ErrClosed) && !errors.Is(err, ErrDeleted) && !errors.Is(err, ErrFull) && !errors.Is(err, ErrFailed) {
				s.opts.Logger.Error("compaction failed", "doc", docID, "err", err)
			}
			s.releaseCompaction(docID)
			if rest := compactionRest(work, s.opts.CompactionShare); rest > 0 {
				select {
				case <-s.stop:
					return
				case <-time.After(rest):
				}
			}
		}
	}
}

// compactionRest is how long the compactor rests after a merge that took work, so that it takes at most
// share of a CPU.
func compactionRest(work time.Duration, share float64) time.Duration {
	return time.Duration(float64(work) * (1 - share) / share)
}

// Compact merges the document's snapshot and its whole current log into a new snapshot, off the write
// path: reading and merging use a consistent Pebble snapshot, and only the final swap goes through the
// committer, which drops exactly the entries that were merged (later appends stay in the log).
// If the document is already being compacted, Compact returns at once.
func (s *Store) Compact(docID string) error {
	if s.opts.Merge == nil {
		return errors.New("meridian/store: compaction needs Options.Merge")
	}
	if !s.claimCompaction(docID) {
		return nil
	}
	defer s.releaseCompaction(docID)
	_, err := s.compact(docID)
	return err
}

// compact merges and swaps in the document's new snapshot, and returns how long reading and merging took
// (the work the compactor paces itself by; the wait for the commit is not work).
func (s *Store) compact(docID string) (work time.Duration, err error) {
	start := time.Now()
	if err := s.open(); err != nil {
		return 0, err
	}
	snap := s.db.NewSnapshot()
	d, last, err := loadFrom(snap, docID)
	snap.Close()
	if err != nil || len(d.Updates) == 0 {
		return time.Since(start), err
	}
	entries, entryBytes := len(d.Updates), uint64(0)
	for _, u := range d.Updates {
		entryBytes += uint64(len(u))
	}
	parts := d.Updates
	if d.Snapshot != nil {
		parts = append([][]byte{d.Snapshot}, parts...)
	}
	merged, err := s.opts.Merge(parts)
	work = time.Since(start)
	if err != nil {
		return work, err
	}
	o := s.submit(&op{kind: opCompact, docID: docID, data: merged, uptoSeq: last, entries: uint64(entries), entryBytes: entryBytes})
	<-o.done
	if o.err == nil {
		if f := s.opts.Observer.Compacted; f != nil {
			f(docID, uint64(entries), d.Info.Bytes(), d.Info.Bytes()-entryBytes+uint64(len(merged))-uint64(len(d.Snapshot)), time.Since(start))
		}
	}
	return work, o.err
}
