package store

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/meridian-sync/meridian/crdt"
)

// numberedLog collects what OnNumbered hands over.
type numberedLog struct {
	mu  sync.Mutex
	got []Numbered
}

func (l *numberedLog) add(ws []Numbered) {
	l.mu.Lock()
	l.got = append(l.got, ws...)
	l.mu.Unlock()
}

func (l *numberedLog) all() []Numbered {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Numbered(nil), l.got...)
}

func TestReplicatedWritesAreNumberedInOrderAndKeptByReference(t *testing.T) {
	dir := t.TempDir()
	var log numberedLog
	s := openStore(t, dir, Options{OnNumbered: log.add})
	var writes []Write
	for i := range 50 {
		st := DocState{Digest: [32]byte{byte(i)}, StateVector: []byte{byte(i)}, Replicate: i%5 != 0}
		writes = append(writes, s.AppendWithState(fmt.Sprint("doc", i%3), []byte(fmt.Sprint("update-", i)), st))
	}
	for _, w := range writes {
		if err := w.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteReplicated("doc2"); err != nil {
		t.Fatal(err)
	}
	got := log.all()
	if len(got) != 41 { // 40 replicated appends and the delete
		t.Fatalf("%d numbered writes handed over, want 41", len(got))
	}
	for i, w := range got {
		if w.Seq != uint64(i+1) {
			t.Fatalf("write %d numbered %d: numbers must be consecutive and in order", i, w.Seq)
		}
	}
	if last := got[len(got)-1]; !last.Deleted || last.Doc != "doc2" {
		t.Fatalf("the delete was handed over as %+v", last)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopened: the push entries resolve to the same updates, the numbering goes on above them.
	s = openStore(t, dir, Options{OnNumbered: log.add})
	defer s.Close()
	recs, pushes, err := s.ReplicationRecords()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Key != "seq" {
		t.Fatalf("records %+v, want only seq", recs)
	}
	if len(pushes) != len(got) {
		t.Fatalf("%d push entries after reopen, want %d", len(pushes), len(got))
	}
	for i, p := range pushes {
		want := got[i]
		if want.Doc == "doc2" && !want.Deleted {
			want = Numbered{Doc: "doc2", Seq: want.Seq, Deleted: true} // deleted since: spreads the tombstone
		}
		if p.Seq != want.Seq || p.Doc != want.Doc || p.Deleted != want.Deleted || !bytes.Equal(p.Update, want.Update) {
			t.Fatalf("push entry %d = %+v, want %+v", i, p, want)
		}
	}
	if err := s.AppendWithState("doc0", []byte("after"), DocState{Replicate: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	if all := log.all(); all[len(all)-1].Seq != uint64(len(got)+1) {
		t.Fatalf("after reopen the next number is %d, want %d", all[len(all)-1].Seq, len(got)+1)
	}
}

func TestPushEntryStoresNoCopyOfTheUpdate(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	defer s.Close()
	update := bytes.Repeat([]byte("y"), 64<<10)
	if err := s.AppendWithState("doc", update, DocState{Replicate: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	var stored int
	lower, upper := familyBounds(familyReplication, "")
	it, err := s.db.NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	for it.First(); it.Valid(); it.Next() {
		if bytes.Compare(it.Key(), lower) >= 0 && bytes.Compare(it.Key(), upper) < 0 {
			stored += len(it.Value())
		} else if bytes.Contains(it.Value(), update) {
			stored += 0 // the document log: the one copy
		}
	}
	it.Close()
	if stored > 64 {
		t.Fatalf("replication's records hold %d bytes for a 64 KB update: it must be a reference", stored)
	}
}

func TestRecordsRaiseTheNumberingAndShareTheBatch(t *testing.T) {
	var log numberedLog
	s := openStore(t, t.TempDir(), Options{OnNumbered: log.add})
	defer s.Close()
	if err := s.SaveReplicationRecords([]Record{{Key: "seq", Value: appendUvarint(nil, 100)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendWithState("doc", []byte("u"), DocState{Replicate: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	if got := log.all(); len(got) != 1 || got[0].Seq != 101 {
		t.Fatalf("numbered %+v, want seq 101 after a record raised it to 100", got)
	}
}

// TestOneSyncedCommitPerBatch: concurrent replicated writes of many documents, with replication's records
// among them, are made durable by fewer synced commits than writes, each commit carrying the update, its
// state and its push entry together (the commit observer counts them).
func TestOneSyncedCommitPerBatch(t *testing.T) {
	var mu sync.Mutex
	commits, ops := 0, 0
	var log numberedLog
	s := openStore(t, t.TempDir(), Options{OnNumbered: log.add, CommitWindow: 5 * time.Millisecond,
		Observer: Observer{Committed: func(n, _ int, _ time.Duration) { mu.Lock(); commits++; ops += n; mu.Unlock() }}})
	defer s.Close()
	const writers, each = 32, 20
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				doc := fmt.Sprint("doc", w)
				if err := s.AppendWithState(doc, []byte{byte(i)}, DocState{Replicate: true}).Wait(); err != nil {
					t.Error(err)
				}
				if i%5 == 0 {
					if err := s.SaveReplicationRecords([]Record{{Key: "recv/x", Value: []byte{byte(i)}}}); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if ops != writers*each+writers*each/5 {
		t.Fatalf("%d ops committed, want %d", ops, writers*each+writers*each/5)
	}
	if len(log.all()) != writers*each {
		t.Fatalf("%d writes numbered, want %d", len(log.all()), writers*each)
	}
	// Each synced commit is one Pebble batch; with 32 concurrent writers most batches carry several.
	if commits >= ops/2 {
		t.Fatalf("%d synced commits for %d ops: writes and records must share group commits", commits, ops)
	}
	t.Logf("%d ops in %d synced commits", ops, commits)
}

// TestCrashKeepsDocumentsAndPushLogConsistent crashes a store on Pebble's crashable in-memory FS at every
// step of a run of replicated writes, compactions, record saves and deletes (before, during and after each
// write's commit), keeping a random part of what was not synced, and checks on the reopened store that:
// every acknowledged write is there with its push entry; every push entry resolves; a document's stored
// digest and state vector describe exactly its stored updates; the numbering is above every entry.
func TestCrashKeepsDocumentsAndPushLogConsistent(t *testing.T) {
	mem := vfs.NewCrashableMem()
	rng := rand.New(rand.NewPCG(1, 2))
	s, err := Open(Options{Dir: "/db", FS: mem, Merge: crdt.MergeUpdates, CompactLogCount: 4})
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]*crdt.Doc{}
	acked := map[uint64]string{} // push number → doc, of writes whose Wait returned
	var log numberedLog
	s.opts.OnNumbered = log.add
	crashes := 0
	check := func(when string) {
		crashes++
		clone := mem.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 50, RNG: rng})
		checkCrashed(t, clone, acked, when)
	}
	for step := range 60 {
		doc := fmt.Sprint("doc", step%4)
		if docs[doc] == nil {
			docs[doc] = crdt.NewDoc(crdt.WithClientID(uint64(step%4 + 1)))
		}
		d := docs[doc]
		var u []byte
		cancel := d.OnUpdate(func(b []byte, _ any) { u = b })
		if err := d.GetText("t").Insert(0, fmt.Sprint("step", step), nil); err != nil {
			t.Fatal(err)
		}
		cancel()
		w := s.AppendWithState(doc, u, DocState{Digest: d.Snapshot().Digest(), StateVector: d.EncodeStateVector(), Replicate: true})
		check(fmt.Sprintf("during write %d", step))
		if err := w.Wait(); err != nil {
			t.Fatal(err)
		}
		all := log.all()
		acked[all[len(all)-1].Seq] = doc
		check(fmt.Sprintf("after write %d", step))
		switch step % 10 {
		case 3:
			if err := s.Compact(doc); err != nil {
				t.Fatal(err)
			}
			check(fmt.Sprintf("after compacting %s", doc))
		case 7:
			if err := s.SaveReplicationRecords([]Record{{Key: "peer/p", Value: []byte{1, byte(step)}}}); err != nil {
				t.Fatal(err)
			}
			check("after saving records")
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d crash points checked", crashes)
}

func checkCrashed(t *testing.T, fs vfs.FS, acked map[uint64]string, when string) {
	t.Helper()
	s, err := Open(Options{Dir: "/db", FS: fs, Merge: crdt.MergeUpdates})
	if err != nil {
		t.Fatalf("%s: reopen: %v", when, err)
	}
	defer s.Close()
	_, pushes, err := s.ReplicationRecords()
	if err != nil {
		t.Fatalf("%s: push log: %v", when, err)
	}
	have := map[uint64]Numbered{}
	var maxSeq uint64
	for _, p := range pushes {
		if len(p.Update) == 0 && !p.Deleted {
			t.Fatalf("%s: push entry %d of %s resolves to nothing", when, p.Seq, p.Doc)
		}
		have[p.Seq] = p
		maxSeq = max(maxSeq, p.Seq)
	}
	for seq, doc := range acked {
		if p, ok := have[seq]; !ok || p.Doc != doc {
			t.Fatalf("%s: acknowledged write %d of %s lost from the push log (have %+v)", when, seq, doc, p)
		}
	}
	if s.pushSeq < maxSeq {
		t.Fatalf("%s: numbering at %d below a stored entry %d: the next write would reuse a number", when, s.pushSeq, maxSeq)
	}
	page, _, err := s.List("", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range page {
		d, err := s.Load(info.ID)
		if err != nil {
			t.Fatal(err)
		}
		rebuilt := crdt.NewDoc()
		for _, u := range append([][]byte{d.Snapshot}, d.Updates...) {
			if u != nil {
				if err := rebuilt.ApplyUpdate(u); err != nil {
					t.Fatalf("%s: %s does not decode: %v", when, info.ID, err)
				}
			}
		}
		digest, ok, _ := s.Digest(info.ID)
		sv, _, _ := s.StateVector(info.ID)
		if !ok || digest != rebuilt.Snapshot().Digest() || !bytes.Equal(sv, rebuilt.EncodeStateVector()) {
			t.Fatalf("%s: %s's stored digest/state vector do not describe its stored updates", when, info.ID)
		}
	}
}
