package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// healthLog records the state changes the store reports.
type healthLog struct {
	mu      sync.Mutex
	changes []Health
}

func (l *healthLog) add(h Health) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.changes = append(l.changes, h)
}

func (l *healthLog) states() []State {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []State
	for _, h := range l.changes {
		out = append(out, h.State)
	}
	return out
}

func waitState(t *testing.T, s *Store, want State) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.Health().State != want {
		if time.Now().After(deadline) {
			t.Fatalf("store state %v, want %v (%s)", s.Health().State, want, s.Health().Reason)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fillUntilRefused writes incompressible 64 KiB updates to a few documents until the store refuses one,
// and returns what it acknowledged, per document.
func fillUntilRefused(t *testing.T, s *Store) (acked map[string]int, refusal error) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	acked = map[string]int{}
	for i := range 10_000 {
		doc := fmt.Sprintf("doc%d", i%4)
		u := make([]byte, 64<<10)
		for j := range u {
			u[j] = byte(rng.Uint32())
		}
		if err := s.Append(doc, u).Wait(); err != nil {
			return acked, err
		}
		acked[doc]++
	}
	t.Fatal("the disk never filled")
	return nil, nil
}

func reserveExists(fs vfs.FS, dir string) bool {
	_, err := fs.Stat(fs.PathJoin(dir, reserveFileName))
	return err == nil
}

// The disk fills with the store's own writes: the store refuses before Pebble runs out of room, never
// crashes or hangs, keeps every acknowledged write, serves reads, and takes writes again by itself once
// space is freed; one state change reported each way.
func TestFullDiskRefusesWritesAndRecoversWithoutRestart(t *testing.T) {
	disk := newFakeDisk(64 << 20)
	var changes healthLog
	opts := Options{Dir: "data", FS: disk, HealthInterval: 20 * time.Millisecond, OnHealth: changes.add}
	s := openStore(t, "data", opts)
	if !reserveExists(disk, "data") {
		t.Fatal("no reserve file after Open")
	}

	acked, err := fillUntilRefused(t, s)
	if !errors.Is(err, ErrFull) {
		t.Fatalf("write on a full disk: %v, want ErrFull", err)
	}
	h := s.Health()
	if h.State != StateFull || !strings.Contains(h.Reason, "free") {
		t.Fatalf("health %+v, want full with the reason", h)
	}
	if reserveExists(disk, "data") {
		t.Fatal("the reserve is still held while full")
	}
	start := time.Now()
	if err := s.Append("doc0", []byte("more")).Wait(); !errors.Is(err, ErrFull) || time.Since(start) > 100*time.Millisecond {
		t.Fatalf("write while full: %v after %v, want ErrFull at once", err, time.Since(start))
	}
	if d, err := s.Load("doc0"); err != nil || len(d.Updates) != acked["doc0"] {
		t.Fatalf("read while full: %d updates, %v; want the %d acknowledged", len(d.Updates), err, acked["doc0"])
	}

	disk.setCapacity(256 << 20) // space freed
	waitState(t, s, StateOK)
	if !reserveExists(disk, "data") {
		t.Fatal("the reserve was not recreated on recovery")
	}
	if err := s.Append("doc0", []byte("after")).Wait(); err != nil {
		t.Fatalf("write after recovery: %v", err)
	}
	acked["doc0"]++
	if got := changes.states(); fmt.Sprint(got) != "[full ok]" {
		t.Fatalf("state changes %v, want [full ok]", got)
	}

	// Nothing acknowledged is lost: reopen and count.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, "data", opts)
	defer s.Close()
	for doc, n := range acked {
		if d, err := s.Load(doc); err != nil || len(d.Updates) != n {
			t.Fatalf("%s after reopen: %d updates, %v; want %d", doc, len(d.Updates), err, n)
		}
	}
}

// Another process fills the disk while the store is within its free-space floor (here: no floor at all),
// so a write of Pebble's meets ENOSPC: the reserve is given up inside vfs.OnDiskFull, the write retried,
// and the store ends full, not failed, and recovers when the hog goes away. Before the reserve, this was
// Pebble's panic in rotateWAL and "fatal error: sync: unlock of unlocked mutex".
func TestDiskFilledByAnotherProcessIsCaughtByTheReserve(t *testing.T) {
	disk := newFakeDisk(64 << 20)
	s := openStore(t, "data", Options{Dir: "data", FS: disk, MinFreeBytes: -1,
		HealthInterval: 20 * time.Millisecond})
	defer s.Close()
	for i := range 20 {
		if err := s.Append("doc", []byte(fmt.Sprint("before ", i))).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	if err := disk.fill("hog", 0); err != nil { // nothing left: the next byte Pebble writes meets ENOSPC
		t.Fatal(err)
	}
	_, err := fillUntilRefused(t, s)
	if !errors.Is(err, ErrFull) {
		t.Fatalf("write on a disk another process filled: %v, want ErrFull", err)
	}
	if h := s.Health(); h.State != StateFull || !strings.Contains(h.Reason, "ENOSPC") {
		t.Fatalf("health %+v, want full after ENOSPC", h)
	}
	disk.free("hog")
	waitState(t, s, StateOK)
	if err := s.Append("doc", []byte("after")).Wait(); err != nil {
		t.Fatalf("write after recovery: %v", err)
	}
}

// A disk that fails (EIO on the write-ahead log) is fatal to Pebble: the store turns failed instead of
// crashing, refuses writes at once with ErrFailed, never touches Pebble's write path again, and still
// serves what it stored.
func TestFailingWALWriteFailsTheStoreWithoutCrashing(t *testing.T) {
	var broken atomic.Bool
	fs := errorfs.Wrap(vfs.NewMem(), errorfs.InjectorFunc(func(op errorfs.Op) error {
		if broken.Load() && strings.HasSuffix(op.Path, ".log") && op.Kind.ReadOrWrite() == errorfs.OpIsWrite {
			return errorfs.ErrInjected
		}
		return nil
	}))
	var changes healthLog
	s := openStore(t, "data", Options{Dir: "data", FS: fs, OnHealth: changes.add})
	if err := s.Append("doc", []byte("stored")).Wait(); err != nil {
		t.Fatal(err)
	}
	broken.Store(true)
	if err := s.Append("doc", []byte("lost")).Wait(); !errors.Is(err, ErrFailed) {
		t.Fatalf("write on a failing disk: %v, want ErrFailed", err)
	}
	for range 3 {
		if err := s.Append("doc", []byte("refused")).Wait(); !errors.Is(err, ErrFailed) {
			t.Fatalf("write after the failure: %v, want ErrFailed", err)
		}
	}
	if h := s.Health(); h.State != StateFailed || !strings.Contains(h.Reason, "pebble") {
		t.Fatalf("health %+v, want failed with Pebble's reason", h)
	}
	if d, err := s.Load("doc"); err != nil || len(d.Updates) == 0 || string(d.Updates[0]) != "stored" {
		t.Fatalf("read after the failure: %+v, %v", d, err)
	}
	if got := changes.states(); fmt.Sprint(got) != "[failed]" {
		t.Fatalf("state changes %v, want one: [failed]", got)
	}
	_ = s.Close() // may report the WAL's error; must not hang or panic
}

// The free-space floor and the reserve scale with the filesystem, within their bounds.
func TestDiskSpaceDefaults(t *testing.T) {
	for _, tc := range []struct {
		total, reserve, minFree uint64
		optReserve, optMinFree  int64
	}{
		{total: 64 << 20, reserve: 4 << 20, minFree: 8 << 20},
		{total: 1 << 30, reserve: 16 << 20, minFree: 32 << 20},
		{total: 1 << 40, reserve: 64 << 20, minFree: 1 << 30},
		{total: 64 << 20, reserve: 0, minFree: 5, optReserve: -1, optMinFree: 5},
	} {
		disk := newFakeDisk(int64(tc.total))
		d := &diskSpace{fs: disk, dir: "x"}
		d.sizeDefaults(tc.optReserve, tc.optMinFree)
		if d.reserve != tc.reserve || d.minFree != tc.minFree {
			t.Errorf("total %d: reserve %d, floor %d; want %d, %d", tc.total, d.reserve, d.minFree, tc.reserve, tc.minFree)
		}
	}
	d := &diskSpace{fs: vfs.NewMem(), dir: "x"} // cannot tell its size: no floor, no reserve
	if d.sizeDefaults(0, 0); d.reserve != 0 || d.minFree != 0 {
		t.Errorf("unknown size: reserve %d, floor %d; want none", d.reserve, d.minFree)
	}
}
