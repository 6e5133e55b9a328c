package store

import (
	"os"
	"sync"
	"syscall"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// fakeDisk is an in-memory filesystem of a fixed capacity: a write (or preallocation) that would take it
// past its capacity fails with ENOSPC, removing a file gives its bytes back, and GetDiskUsage reports what
// statfs would. It is the tiny disk the tests fill, without root or a mount.
type fakeDisk struct {
	vfs.FS
	mu struct {
		sync.Mutex
		capacity, used int64
		sizes          map[string]int64 // bytes allocated to each file
	}
}

func newFakeDisk(capacity int64) *fakeDisk {
	d := &fakeDisk{FS: vfs.NewMem()}
	d.mu.capacity, d.mu.sizes = capacity, map[string]int64{}
	return d
}

func (d *fakeDisk) setCapacity(n int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mu.capacity = n
}

// fill takes all but keep bytes with a file of another "process".
func (d *fakeDisk) fill(name string, keep int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n := d.mu.capacity - d.mu.used - keep; n > 0 {
		d.mu.sizes[name] += n
		d.mu.used += n
	}
	return nil
}

// free gives back what fill took.
func (d *fakeDisk) free(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mu.used -= d.mu.sizes[name]
	delete(d.mu.sizes, name)
}

// grow allocates name up to end bytes.
func (d *fakeDisk) grow(name string, end int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	cur := d.mu.sizes[name]
	if end <= cur {
		return nil
	}
	if d.mu.used+end-cur > d.mu.capacity {
		return &os.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}
	}
	d.mu.sizes[name] = end
	d.mu.used += end - cur
	return nil
}

func (d *fakeDisk) forget(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mu.used -= d.mu.sizes[name]
	delete(d.mu.sizes, name)
}

func (d *fakeDisk) move(from, to string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.mu.used -= d.mu.sizes[to]
	d.mu.sizes[to] = d.mu.sizes[from]
	delete(d.mu.sizes, from)
}

func (d *fakeDisk) Create(name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := d.FS.Create(name, c)
	if err != nil {
		return nil, err
	}
	d.forget(name) // truncated
	return &fakeFile{File: f, disk: d, name: name}, nil
}

func (d *fakeDisk) OpenReadWrite(name string, c vfs.DiskWriteCategory, opts ...vfs.OpenOption) (vfs.File, error) {
	f, err := d.FS.OpenReadWrite(name, c, opts...)
	if err != nil {
		return nil, err
	}
	return &fakeFile{File: f, disk: d, name: name}, nil
}

func (d *fakeDisk) ReuseForWrite(from, to string, c vfs.DiskWriteCategory) (vfs.File, error) {
	f, err := d.FS.ReuseForWrite(from, to, c)
	if err != nil {
		return nil, err
	}
	d.move(from, to)
	return &fakeFile{File: f, disk: d, name: to}, nil
}

func (d *fakeDisk) Remove(name string) error {
	if err := d.FS.Remove(name); err != nil {
		return err
	}
	d.forget(name)
	return nil
}

func (d *fakeDisk) Rename(from, to string) error {
	if err := d.FS.Rename(from, to); err != nil {
		return err
	}
	d.move(from, to)
	return nil
}

func (d *fakeDisk) GetDiskUsage(string) (vfs.DiskUsage, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	avail := uint64(max(0, d.mu.capacity-d.mu.used))
	return vfs.DiskUsage{AvailBytes: avail, TotalBytes: uint64(d.mu.capacity), UsedBytes: uint64(d.mu.used)}, nil
}

func (d *fakeDisk) Unwrap() vfs.FS { return d.FS }

type fakeFile struct {
	vfs.File
	disk *fakeDisk
	name string
	pos  int64
}

func (f *fakeFile) Write(p []byte) (int, error) {
	if err := f.disk.grow(f.name, f.pos+int64(len(p))); err != nil {
		return 0, err
	}
	n, err := f.File.Write(p)
	f.pos += int64(n)
	return n, err
}

func (f *fakeFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.disk.grow(f.name, off+int64(len(p))); err != nil {
		return 0, err
	}
	return f.File.WriteAt(p, off)
}

func (f *fakeFile) Preallocate(off, n int64) error { return f.disk.grow(f.name, off+n) }
