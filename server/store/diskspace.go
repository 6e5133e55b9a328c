package store

import (
	"errors"
	"fmt"
	"sync"
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// reserveFileName is the reserve ("ballast") file kept in the data directory. Pebble ignores files whose
// names it did not give.
const reserveFileName = "meridian-reserve"

// diskSpace measures the data directory's filesystem (through vfs.FS.GetDiskUsage: statfs on the OS's
// filesystem; tests pass a fake disk) and holds the reserve file.
type diskSpace struct {
	fs      vfs.FS // unwrapped: the reserve's own writes never trigger vfs.OnDiskFull
	dir     string
	reserve uint64 // size of the reserve file; 0: none
	minFree uint64 // writes are refused below this much free space; 0: never for space

	mu   sync.Mutex // serialises creating and releasing the reserve
	held bool
}

// Default sizes. The reserve only has to let Pebble finish what it started when the disk fills (a WAL
// record, a flush of its two 4 MiB memtables at most, a MANIFEST edit, a compaction retried); the free
// space floor is the margin normal operation keeps. Both scale with the filesystem between these bounds,
// and never take more than an eighth (reserve: a sixteenth) of a small one.
const (
	minReserveDefault = 8 << 20
	maxReserveDefault = 64 << 20
	minFreeFloor      = 16 << 20
	minFreeCeiling    = 1 << 30
)

// sizeDefaults fills in the reserve and the free-space floor from the options (0: derived from the
// filesystem's size; negative: none). On a filesystem that cannot tell its size, the defaults are none.
func (d *diskSpace) sizeDefaults(reserve, minFree int64) {
	_, total, known := d.usage()
	d.reserve = derivedSize(reserve, total, known, 64, minReserveDefault, maxReserveDefault, 16)
	d.minFree = derivedSize(minFree, total, known, 32, minFreeFloor, minFreeCeiling, 8)
}

// derivedSize is opt when set, else total/share, at least floor (but at most total/smallShare) and at most
// ceiling.
func derivedSize(opt int64, total uint64, known bool, share, floor, ceiling, smallShare uint64) uint64 {
	switch {
	case opt < 0:
		return 0
	case opt > 0:
		return uint64(opt)
	case !known:
		return 0
	}
	return min(max(total/share, min(floor, total/smallShare)), ceiling)
}

func (d *diskSpace) usage() (avail, total uint64, ok bool) {
	u, err := d.fs.GetDiskUsage(d.dir)
	if err != nil {
		return 0, 0, false
	}
	return u.AvailBytes, u.TotalBytes, true
}

// low reports whether a batch of about need bytes would leave less than the floor free.
func (d *diskSpace) low(need uint64) (reason string, low bool) {
	if d.minFree == 0 {
		return "", false
	}
	avail, _, ok := d.usage()
	if !ok || avail >= d.minFree+need {
		return "", false
	}
	if need > 0 {
		return fmt.Sprintf("%s free on the data directory's filesystem: a batch of %s would leave less than the %s the store keeps free",
			mib(avail), mib(need), mib(d.minFree)), true
	}
	return fmt.Sprintf("%s free on the data directory's filesystem, below the %s the store keeps free",
		mib(avail), mib(d.minFree)), true
}

// roomToRecover: room for the reserve, the floor and a quarter of the floor more, so the node does not
// flap between full and ok at the threshold.
func (d *diskSpace) roomToRecover() bool {
	avail, _, ok := d.usage()
	return !ok || avail >= d.reserve+d.minFree+d.minFree/4
}

// createReserve writes the reserve file and syncs it: on a filesystem that was full, this is also the
// proof that it takes writes again.
func (d *diskSpace) createReserve() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.reserve == 0 || d.held {
		return nil
	}
	path := d.fs.PathJoin(d.dir, reserveFileName)
	f, err := d.fs.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return err
	}
	err = allocate(f, int64(d.reserve))
	err = errors.Join(err, f.Sync(), f.Close())
	if err != nil {
		_ = d.fs.Remove(path)
		return err
	}
	d.held = true
	return nil
}

// releaseReserve deletes the reserve file (also one left by an earlier run).
func (d *diskSpace) releaseReserve() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.reserve == 0 && !d.held {
		return
	}
	_ = d.fs.Remove(d.fs.PathJoin(d.dir, reserveFileName))
	d.held = false
}

// allocate makes f hold n bytes of disk: fallocate where the filesystem has it (instant, and counted as
// used by statfs, tmpfs included), else by writing them.
func allocate(f vfs.File, n int64) error {
	// Linux allocates the blocks and keeps the size 0 (FALLOC_FL_KEEP_SIZE); an in-memory FS allocates
	// nothing, but it cannot fill up either (the test fake counts preallocation).
	err := f.Preallocate(0, n)
	if err == nil || isENOSPC(err) {
		return err
	}
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i*131 + i>>8) // not zeros: compressing filesystems would store zeros in nothing
	}
	for written := int64(0); written < n; {
		chunk := buf[:min(int64(len(buf)), n-written)]
		k, err := f.Write(chunk)
		if err != nil {
			return err
		}
		written += int64(k)
	}
	return nil
}

func isENOSPC(err error) bool { return errors.Is(err, syscall.ENOSPC) }

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
