//go:build linux

package store

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// One run on a real 64 MiB tmpfs, where the machine allows mounting one (root, not in a locked-down
// container); skipped with the reason elsewhere. A file of another process takes 16 MiB, the store's
// writes fill the rest until refused; deleting that file lets the store take writes again by itself.
func TestRealTmpfsFillsRefusesAndRecovers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: mounting a 64 MiB tmpfs needs root")
	}
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=64m"); err != nil {
		t.Skipf("skipped: cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(mnt, syscall.MNT_DETACH) })
	hog := filepath.Join(mnt, "hog")
	if err := os.WriteFile(hog, make([]byte, 16<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, filepath.Join(mnt, "data"), Options{HealthInterval: 20 * time.Millisecond})
	defer s.Close()
	if !reserveExists(s.opts.FS, s.opts.Dir) {
		t.Fatal("no reserve file")
	}
	acked, err := fillUntilRefused(t, s)
	if !errors.Is(err, ErrFull) {
		t.Fatalf("write on the full tmpfs: %v, want ErrFull", err)
	}
	// Pebble preallocates each WAL at 110% of its 4 MiB memtable and keeps old ones to recycle, so on
	// 64 MiB most of the room goes to WALs, the reserve and the floor.
	t.Logf("refused after %d acknowledged 64 KiB writes: %s", acked["doc0"]+acked["doc1"]+acked["doc2"]+acked["doc3"], s.Health().Reason)
	if err := os.Remove(hog); err != nil {
		t.Fatal(err)
	}
	waitState(t, s, StateOK)
	if err := s.Append("doc0", []byte("after")).Wait(); err != nil {
		t.Fatalf("write after freeing space: %v", err)
	}
	if d, err := s.Load("doc0"); err != nil || len(d.Updates) != acked["doc0"]+1 {
		t.Fatalf("doc0: %d updates, %v; want %d", len(d.Updates), err, acked["doc0"]+1)
	}
}
