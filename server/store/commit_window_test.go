package store

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// Writes that arrive within the commit window after a sync share the next batch instead of each paying an
// fsync; the window never holds back a write that arrives after a quiet spell longer than the window.
func TestCommitWindowGroupsWritesThatArriveTogether(t *testing.T) {
	var batches atomic.Int64
	s := openStore(t, t.TempDir(), Options{CommitWindow: time.Second,
		Observer: Observer{Committed: func(int, int, time.Duration) { batches.Add(1) }}})
	defer s.Close()

	if err := s.Append("doc", []byte("first")).Wait(); err != nil {
		t.Fatal(err)
	}
	// Thirty writes 10 ms apart right after that sync, each far slower to arrive than an fsync: without
	// the window each would get a batch of its own; with it, the committer waits and they share one or two.
	var writes []Write
	for i := range 30 {
		writes = append(writes, s.Append(fmt.Sprintf("doc%d", i%3), []byte("x")))
		time.Sleep(10 * time.Millisecond)
	}
	for _, w := range writes {
		if err := w.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	if got := batches.Load(); got > 4 {
		t.Fatalf("31 writes took %d synced batches; the window should group the 30 that came together", got)
	}

	// After a quiet spell longer than the window, a write is committed without waiting for one.
	time.Sleep(1100 * time.Millisecond)
	start := time.Now()
	if err := s.Append("doc", []byte("later")).Wait(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took >= time.Second {
		t.Fatalf("a write after a quiet spell waited %s, as if for the window", took)
	}
}
