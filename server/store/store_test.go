package store

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// joinMerge stands in for crdt.MergeUpdates: it concatenates with a separator, which keeps the order of
// the merged parts visible to the assertions.
func joinMerge(parts [][]byte) ([]byte, error) { return bytes.Join(parts, []byte("|")), nil }

func openStore(t *testing.T, dir string, opts Options) *Store {
	t.Helper()
	opts.Dir = dir
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAppendLoadAndReopen(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	for i := range 3 {
		w := s.Append("notes/a", fmt.Appendf(nil, "u%d", i))
		if err := w.Wait(); err != nil {
			t.Fatal(err)
		}
		if w.Seq() != uint64(i) {
			t.Fatalf("seq %d, want %d", w.Seq(), i)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Append("x", []byte("y")).Wait(); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
	s = openStore(t, dir, Options{})
	defer s.Close()
	d, err := s.Load("notes/a")
	if err != nil {
		t.Fatal(err)
	}
	if !d.Exists || d.Snapshot != nil || len(d.Updates) != 3 || string(d.Updates[2]) != "u2" {
		t.Fatalf("loaded %+v", d)
	}
	if d.Info.LogCount != 3 || d.Info.LogBytes != 6 {
		t.Fatalf("info %+v", d.Info)
	}
	// The sequence continues after reopening.
	w := s.Append("notes/a", []byte("u3"))
	if err := w.Wait(); err != nil || w.Seq() != 3 {
		t.Fatalf("seq after reopen %d %v", w.Seq(), err)
	}
	if d, err := s.Load("never/written"); err != nil || d.Exists {
		t.Fatalf("unknown doc: %+v %v", d, err)
	}
}

func TestGroupCommitSharesFsyncs(t *testing.T) {
	var commits, committedOps atomic.Int64
	s := openStore(t, t.TempDir(), Options{Observer: Observer{Committed: func(ops, _ int, _ time.Duration) {
		commits.Add(1)
		committedOps.Add(int64(ops))
	}}})
	defer s.Close()
	const writers, perWriter = 50, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				if err := s.Append(fmt.Sprintf("doc/%d", w%7), fmt.Appendf(nil, "%d-%d", w, i)).Wait(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if committedOps.Load() != writers*perWriter {
		t.Fatalf("committed %d ops, want %d", committedOps.Load(), writers*perWriter)
	}
	if commits.Load() >= writers*perWriter/2 {
		t.Fatalf("%d fsyncs for %d concurrent updates: no group commit", commits.Load(), writers*perWriter)
	}
	t.Logf("%d updates in %d synced batches", writers*perWriter, commits.Load())
	var total int
	for d := range 7 {
		doc, err := s.Load(fmt.Sprintf("doc/%d", d))
		if err != nil {
			t.Fatal(err)
		}
		total += len(doc.Updates)
	}
	if total != writers*perWriter {
		t.Fatalf("stored %d updates", total)
	}
}

func TestCompactionMergesSnapshotAndLog(t *testing.T) {
	compacted := make(chan string, 10)
	s := openStore(t, t.TempDir(), Options{Merge: joinMerge, CompactLogCount: 3,
		Observer: Observer{Compacted: func(id string, _, _, _ uint64, _ time.Duration) { compacted <- id }}})
	defer s.Close()
	for _, u := range []string{"a", "b", "c"} {
		if err := s.Append("d", []byte(u)).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-compacted:
	case <-time.After(5 * time.Second):
		t.Fatal("no background compaction after reaching the count threshold")
	}
	d, err := s.Load("d")
	if err != nil {
		t.Fatal(err)
	}
	if string(d.Snapshot) != "a|b|c" || len(d.Updates) != 0 || d.Info.LogCount != 0 || d.Info.SnapshotBytes != 5 {
		t.Fatalf("after compaction: snapshot %q, log %q, info %+v", d.Snapshot, d.Updates, d.Info)
	}
	if err := s.Append("d", []byte("e")).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := s.Compact("d"); err != nil {
		t.Fatal(err)
	}
	d, _ = s.Load("d")
	if string(d.Snapshot) != "a|b|c|e" || len(d.Updates) != 0 {
		t.Fatalf("second compaction: %q %q", d.Snapshot, d.Updates)
	}
}

func TestDeleteLeavesTombstone(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	if err := s.Append("gone", []byte("x")).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load("gone"); !errors.Is(err, ErrDeleted) {
		t.Fatalf("load deleted: %v", err)
	}
	if err := s.Append("gone", []byte("y")).Wait(); !errors.Is(err, ErrDeleted) {
		t.Fatalf("append to deleted: %v", err)
	}
	if docs, _, _ := s.List("", "", 10); len(docs) != 0 {
		t.Fatalf("deleted document listed: %+v", docs)
	}
	s.Close()
	s = openStore(t, dir, Options{})
	defer s.Close()
	if _, err := s.Load("gone"); !errors.Is(err, ErrDeleted) {
		t.Fatalf("tombstone lost on reopen: %v", err)
	}
}

func TestListWithPrefixAndCursor(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	defer s.Close()
	for _, id := range []string{"a/1", "a/2", "a/3", "b/1", "a"} {
		if err := s.Append(id, []byte("x")).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	cursor := ""
	for page := 0; ; page++ {
		docs, next, err := s.List("a/", cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			got = append(got, d.ID)
		}
		if next == "" {
			break
		}
		cursor = next
		if page > 5 {
			t.Fatal("paging does not end")
		}
	}
	if fmt.Sprint(got) != "[a/1 a/2 a/3]" {
		t.Fatalf("listed %v", got)
	}
	all, next, _ := s.List("", "", 100)
	if len(all) != 5 || next != "" || all[0].ID != "a" {
		t.Fatalf("all: %+v %q", all, next)
	}
}

func FuzzDecodeDocInfo(f *testing.F) {
	f.Add(DocInfo{nextSeq: 3, LogCount: 2, LogBytes: 300, SnapshotBytes: 1 << 40}.encode())
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeDocInfo("x", b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("unwrapped error %v", err)
			}
			return
		}
		again, err := decodeDocInfo("x", d.encode())
		if err != nil || again != d {
			t.Fatalf("round trip %+v -> %+v (%v)", d, again, err)
		}
	})
}

// TestCompactorPacesItself: documents that reach their thresholds together are compacted one after another
// with rests between them, so the compactor takes at most its share of a CPU (here half: a rest as long as
// each merge), instead of one burst that everything else waits behind.
func TestCompactorPacesItself(t *testing.T) {
	const work = 20 * time.Millisecond
	var mu sync.Mutex
	var starts []time.Time
	slowMerge := func(parts [][]byte) ([]byte, error) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		time.Sleep(work)
		return joinMerge(parts)
	}
	s := openStore(t, t.TempDir(), Options{Merge: slowMerge, CompactLogCount: 2, CompactionShare: 0.5})
	defer s.Close()
	const docs = 5
	var writes []Write
	for i := range docs {
		for _, u := range []string{"a", "b"} {
			writes = append(writes, s.Append(fmt.Sprintf("doc-%d", i), []byte(u)))
		}
	}
	for _, w := range writes {
		if err := w.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(starts)
		mu.Unlock()
		if n == docs {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d documents compacted", n, docs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(starts); i++ {
		// Each merge takes work and is followed by a rest of work: the next starts 2*work later at the earliest.
		if gap := starts[i].Sub(starts[i-1]); gap < 2*work-2*time.Millisecond {
			t.Fatalf("compaction %d started %v after the one before; paced at half a CPU it must wait about %v", i, gap, 2*work)
		}
	}
}

func TestCompactionRest(t *testing.T) {
	for _, c := range []struct {
		work  time.Duration
		share float64
		want  time.Duration
	}{{10 * time.Millisecond, 0.2, 40 * time.Millisecond}, {10 * time.Millisecond, 1, 0}, {0, 0.2, 0}} {
		if got := compactionRest(c.work, c.share); got != c.want {
			t.Errorf("compactionRest(%v, %v) = %v, want %v", c.work, c.share, got, c.want)
		}
	}
}
