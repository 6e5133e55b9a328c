package uring

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// The kernel's ABI (include/uapi/linux/io_uring.h): system call numbers, mmap offsets, flags and opcodes.
const (
	sysSetup    = 425
	sysEnter    = 426
	sysRegister = 427

	offSQRing = 0
	offCQRing = 0x8000000
	offSQEs   = 0x10000000

	setupSubmitAll   = 1 << 7 // keep submitting the batch after one send fails
	setupCoopTaskrun = 1 << 8 // no inter-processor interrupt to run completion work: we wait for it anyway

	featSingleMmap = 1 << 0
	enterGetEvents = 1 << 0

	registerProbe    = 8
	probeOpSupported = 1 << 0

	opSend = 26

	msgDontWait = 0x40
	msgNoSignal = 0x4000
)

// sqe is struct io_uring_sqe (64 bytes) with the fields a send uses.
type sqe struct {
	opcode   uint8
	flags    uint8
	ioprio   uint16
	fd       int32
	off      uint64
	addr     uint64
	len      uint32
	msgFlags uint32
	userData uint64
	_        [3]uint64
}

// cqe is struct io_uring_cqe (16 bytes).
type cqe struct {
	userData uint64
	res      int32
	flags    uint32
}

// params is struct io_uring_params; the offsets are struct io_sqring_offsets and io_cqring_offsets.
type params struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFD uint32
	_                                                                      [3]uint32
	sqOff                                                                  sqOffsets
	cqOff                                                                  cqOffsets
}

type sqOffsets struct {
	head, tail, ringMask, ringEntries, flags, dropped, array, _ uint32
	_                                                           uint64
}

type cqOffsets struct {
	head, tail, ringMask, ringEntries, overflow, cqes, flags, _ uint32
	_                                                           uint64
}

// Ring is one io_uring instance set up for batches of sends.
type Ring struct {
	fd      int
	entries uint32
	mem     [][]byte // the mapped rings, unmapped by Close

	sqHead, sqTail *uint32
	sqMask         uint32
	sqes           []sqe
	cqHead, cqTail *uint32
	cqMask         uint32
	cqes           []cqe

	broken bool // an io_uring_enter failed in a way that leaves the ring's state unknown
}

// NewRing sets up a ring for batches of up to entries sends.
func NewRing(entries uint32) (*Ring, error) {
	var p params
	p.flags = setupSubmitAll | setupCoopTaskrun
	fd, errno := setup(entries, &p)
	if errno == syscall.EINVAL {
		// A kernel before 5.19 knows neither flag; both only save work, so go on without them.
		p = params{}
		fd, errno = setup(entries, &p)
	}
	if errno != 0 {
		return nil, fmt.Errorf("%w: io_uring_setup: %v", ErrUnavailable, errno)
	}
	r := &Ring{fd: fd, entries: p.sqEntries}
	if err := r.mapRings(&p); err != nil {
		r.Close()
		return nil, err
	}
	if err := r.probeSend(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func setup(entries uint32, p *params) (int, syscall.Errno) {
	fd, _, errno := syscall.Syscall(sysSetup, uintptr(entries), uintptr(unsafe.Pointer(p)), 0)
	return int(fd), errno
}

func (r *Ring) mapRings(p *params) error {
	mmap := func(offset int64, size int) ([]byte, error) {
		b, err := syscall.Mmap(r.fd, offset, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE)
		if err != nil {
			return nil, fmt.Errorf("%w: mmap: %v", ErrUnavailable, err)
		}
		r.mem = append(r.mem, b)
		return b, nil
	}
	sqSize := int(p.sqOff.array) + int(p.sqEntries)*4
	cqSize := int(p.cqOff.cqes) + int(p.cqEntries)*int(unsafe.Sizeof(cqe{}))
	if p.features&featSingleMmap != 0 {
		sqSize = max(sqSize, cqSize)
	}
	sq, err := mmap(offSQRing, sqSize)
	if err != nil {
		return err
	}
	cq := sq
	if p.features&featSingleMmap == 0 {
		if cq, err = mmap(offCQRing, cqSize); err != nil {
			return err
		}
	}
	sqeMem, err := mmap(offSQEs, int(p.sqEntries)*int(unsafe.Sizeof(sqe{})))
	if err != nil {
		return err
	}
	r.sqHead = (*uint32)(unsafe.Pointer(&sq[p.sqOff.head]))
	r.sqTail = (*uint32)(unsafe.Pointer(&sq[p.sqOff.tail]))
	r.sqMask = *(*uint32)(unsafe.Pointer(&sq[p.sqOff.ringMask]))
	// The submission queue indexes the entry array through an array of its own; the identity keeps slot i
	// at entry i for good.
	array := unsafe.Slice((*uint32)(unsafe.Pointer(&sq[p.sqOff.array])), p.sqEntries)
	for i := range array {
		array[i] = uint32(i)
	}
	r.sqes = unsafe.Slice((*sqe)(unsafe.Pointer(&sqeMem[0])), p.sqEntries)
	r.cqHead = (*uint32)(unsafe.Pointer(&cq[p.cqOff.head]))
	r.cqTail = (*uint32)(unsafe.Pointer(&cq[p.cqOff.tail]))
	r.cqMask = *(*uint32)(unsafe.Pointer(&cq[p.cqOff.ringMask]))
	r.cqes = unsafe.Slice((*cqe)(unsafe.Pointer(&cq[p.cqOff.cqes])), p.cqEntries)
	return nil
}

// probeSend asks the kernel whether it knows IORING_OP_SEND (5.6 and later).
func (r *Ring) probeSend() error {
	const ops = 64
	// struct io_uring_probe: last_op, ops_len, resv, resv2[3], then ops_len entries of 8 bytes each.
	buf := make([]byte, 16+ops*8)
	_, _, errno := syscall.Syscall6(sysRegister, uintptr(r.fd), registerProbe, uintptr(unsafe.Pointer(&buf[0])), ops, 0, 0)
	if errno != 0 {
		return fmt.Errorf("%w: probe: %v", ErrUnavailable, errno)
	}
	lastOp := buf[0]
	entry := buf[16+opSend*8:]
	flags := uint16(entry[2]) | uint16(entry[3])<<8
	if lastOp < opSend || entry[0] != opSend || flags&probeOpSupported == 0 {
		return fmt.Errorf("%w: the kernel has no IORING_OP_SEND", ErrUnavailable)
	}
	return nil
}

// Close releases the ring. It must not be in use.
func (r *Ring) Close() error {
	for _, b := range r.mem {
		_ = syscall.Munmap(b)
	}
	r.mem = nil
	return syscall.Close(r.fd)
}

// SendAll sends every buffer to its socket, at most Entries at a time, each batch in one io_uring_enter. It
// returns once every send it submitted has completed. An error means the ring failed and must be closed, not
// used again: the sends neither Done nor Lost were not made (the caller writes them another way).
func (r *Ring) SendAll(sends []Send) error {
	if r.broken {
		return errBroken
	}
	for start := 0; start < len(sends); start += int(r.entries) {
		if err := r.sendBatch(sends[start:min(len(sends), start+int(r.entries))]); err != nil {
			r.broken = true
			return err
		}
	}
	runtime.KeepAlive(sends)
	return nil
}

var errBroken = errors.New("uring: ring broken by an earlier failure")

func (r *Ring) sendBatch(batch []Send) error {
	tail := *r.sqTail // only this goroutine writes the tail
	for i := range batch {
		s := &batch[i]
		e := &r.sqes[(tail+uint32(i))&r.sqMask]
		*e = sqe{opcode: opSend, fd: int32(s.FD), len: uint32(len(s.Buf)), msgFlags: msgDontWait | msgNoSignal, userData: uint64(i)}
		if len(s.Buf) > 0 {
			e.addr = uint64(uintptr(unsafe.Pointer(unsafe.SliceData(s.Buf))))
		}
	}
	end := tail + uint32(len(batch))
	atomic.StoreUint32(r.sqTail, end) // publishes the entries to the kernel

	completed := 0
	for completed < len(batch) {
		unsubmitted := end - atomic.LoadUint32(r.sqHead)
		// A raw system call: the sends never block (MSG_DONTWAIT), so there is nothing to hand the P over
		// for, and the scheduler's monitor would otherwise take it mid-batch on a busy core (see
		// server/session_direct.go).
		_, _, errno := syscall.RawSyscall6(sysEnter, uintptr(r.fd), uintptr(unsubmitted),
			uintptr(len(batch)-completed), enterGetEvents, 0, 0)
		completed += r.reap(batch)
		switch errno {
		case 0, syscall.EINTR, syscall.EAGAIN, syscall.EBUSY:
			continue
		}
		// The ring no longer answers. Sends it took but did not complete may still happen.
		submitted := min(int(atomic.LoadUint32(r.sqHead)-tail), len(batch))
		for i := range batch[:submitted] {
			batch[i].Lost = !batch[i].Done
		}
		return fmt.Errorf("uring: io_uring_enter: %w", errno)
	}
	return nil
}

// reap takes every completion waiting in the completion queue and returns how many there were.
func (r *Ring) reap(batch []Send) int {
	head := *r.cqHead
	tail := atomic.LoadUint32(r.cqTail)
	n := 0
	for ; head != tail; head++ {
		c := r.cqes[head&r.cqMask]
		s := &batch[c.userData]
		if c.res < 0 {
			s.N, s.Err = 0, syscall.Errno(-c.res)
		} else {
			s.N, s.Err = int(c.res), 0
		}
		s.Done = true
		n++
	}
	atomic.StoreUint32(r.cqHead, head)
	return n
}
