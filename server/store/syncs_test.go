package store

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// walSyncFS counts the syncs of Pebble's write-ahead log files: the fsyncs that make commits durable.
type walSyncFS struct {
	vfs.FS
	syncs atomic.Int64
}

type walFile struct {
	vfs.File
	fs *walSyncFS
}

func (f walFile) Sync() error                  { f.fs.syncs.Add(1); return f.File.Sync() }
func (f walFile) SyncData() error              { f.fs.syncs.Add(1); return f.File.SyncData() }
func (f walFile) SyncTo(n int64) (bool, error) { f.fs.syncs.Add(1); return f.File.SyncTo(n) }

func (fs *walSyncFS) wrap(name string, f vfs.File, err error) (vfs.File, error) {
	if err != nil || !strings.HasSuffix(name, ".log") {
		return f, err
	}
	return walFile{File: f, fs: fs}, nil
}

func (fs *walSyncFS) Create(name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.Create(name, c)
	return fs.wrap(name, f, err)
}

func (fs *walSyncFS) ReuseForWrite(old, name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := fs.FS.ReuseForWrite(old, name, c)
	return fs.wrap(name, f, err)
}

func (fs *walSyncFS) OpenReadWrite(name string, c vfs.DiskWriteCategory, opts ...vfs.OpenOption) (vfs.File, error) {
	f, err := fs.FS.OpenReadWrite(name, c, opts...)
	return fs.wrap(name, f, err)
}

// TestEveryWALSyncIsOneBatch counts the WAL's fsyncs while concurrent replicated client writes (each with its
// digest, state vector and push entry) and the replication core's records are made durable: exactly one per
// synced batch, so a clustered write is not synced a second time for replication, and far fewer than writes.
func TestEveryWALSyncIsOneBatch(t *testing.T) {
	fs := &walSyncFS{FS: vfs.NewMem()}
	var mu sync.Mutex
	batches, ops := 0, 0
	var log numberedLog
	s, err := Open(Options{Dir: "/db", FS: fs, OnNumbered: log.add,
		Observer: Observer{Committed: func(n, _ int, _ time.Duration) { mu.Lock(); batches++; ops += n; mu.Unlock() }}})
	if err != nil {
		t.Fatal(err)
	}
	before := fs.syncs.Load()
	const writers, each = 16, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				st := DocState{Digest: [32]byte{1}, StateVector: []byte{1}, Replicate: true}
				if err := s.AppendWithState(fmt.Sprint("doc", w), []byte{byte(i)}, st).Wait(); err != nil {
					t.Error(err)
				}
				if i%5 == 4 { // the core's records (acks, counters) after some writes
					if err := s.SaveReplicationRecords([]Record{{Key: fmt.Sprint("recv/", w), Value: []byte{byte(i)}}}); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	syncs := fs.syncs.Load() - before
	mu.Lock()
	defer mu.Unlock()
	if len(log.all()) != writers*each {
		t.Fatalf("%d writes numbered, want %d", len(log.all()), writers*each)
	}
	if syncs != int64(batches) {
		t.Fatalf("%d WAL syncs for %d synced batches: every durable write must cost exactly its batch's one fsync", syncs, batches)
	}
	if batches >= ops {
		t.Fatalf("%d batches for %d ops: concurrent writes must share fsyncs", batches, ops)
	}
	t.Logf("%d writes and %d record saves: %d WAL syncs, one per batch", writers*each, ops-writers*each, syncs)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestLazyWritesAreMadeDurableByTheNextSync: a bootstrap's lazy copies cost no fsync of their own, and the
// next synced commit covers them: a crash right after it (only synced data kept) still has them.
func TestLazyWritesAreMadeDurableByTheNextSync(t *testing.T) {
	mem := vfs.NewCrashableMem()
	fs := &walSyncFS{FS: mem}
	s, err := Open(Options{Dir: "/db", FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	before := fs.syncs.Load()
	for i := range 20 {
		if err := s.AppendWithState(fmt.Sprint("copied", i), []byte{byte(i)}, DocState{Lazy: true}).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	if n := fs.syncs.Load() - before; n != 0 {
		t.Fatalf("%d WAL syncs for lazy writes, want none", n)
	}
	if err := s.SaveReplicationRecords([]Record{{Key: "ready", Value: []byte{}}}); err != nil {
		t.Fatal(err)
	}
	crashed, err := Open(Options{Dir: "/db", FS: mem.CrashClone(vfs.CrashCloneCfg{})})
	if err != nil {
		t.Fatal(err)
	}
	defer crashed.Close()
	if page, _, err := crashed.List("copied", "", 100); err != nil || len(page) != 20 {
		t.Fatalf("after a crash past the next sync: %d of 20 lazy writes, err %v", len(page), err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
