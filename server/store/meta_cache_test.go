package store

import (
	"errors"
	"fmt"
	"testing"
)

// The committer remembers metas between batches instead of reading them back. What it remembers must match
// what a fresh read of the database says after appends, a compaction and a delete, batch after batch.
func TestMetaCacheAgreesWithTheDatabase(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{Merge: joinMerge, CommitWindow: -1})
	defer s.Close()
	for i := range 10 {
		w := s.Append("a", fmt.Appendf(nil, "a%d", i))
		if err := w.Wait(); err != nil || w.Seq() != uint64(i) {
			t.Fatalf("append %d: seq %d, %v", i, w.Seq(), err)
		}
	}
	if err := s.Compact("a"); err != nil {
		t.Fatal(err)
	}
	if w := s.Append("a", []byte("after")); w.Wait() != nil || w.Seq() != 10 {
		t.Fatalf("append after compaction: seq %d, %v", w.Seq(), w.Wait())
	}
	info, ok, err := s.Info("a")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if info.LogCount != 1 || info.LogBytes != 5 || info.SnapshotBytes != uint64(len("a0|a1|a2|a3|a4|a5|a6|a7|a8|a9")) {
		t.Fatalf("info after compaction and one append: %+v", info)
	}
	if err := s.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Append("a", []byte("late")).Wait(); !errors.Is(err, ErrDeleted) {
		t.Fatalf("append to a deleted document: %v, want ErrDeleted", err)
	}
	// Past the cache's bound it starts over and reads metas back: sequences still continue.
	for i := range metaCacheMax + 10 {
		s.Append(fmt.Sprintf("d%d", i), []byte("x"))
	}
	for i := range 3 {
		w := s.Append(fmt.Sprintf("d%d", i), []byte("y"))
		if err := w.Wait(); err != nil || w.Seq() != 1 {
			t.Fatalf("second append to d%d: seq %d, %v", i, w.Seq(), err)
		}
	}
}
