//go:build linux

package uring

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// newRingOrSkip sets up a ring; on a kernel without io_uring the test is skipped, except in CI, whose
// machines have it: there a missing ring is a failure, so these tests cannot pass by never running.
func newRingOrSkip(t *testing.T, entries uint32) *Ring {
	t.Helper()
	r, err := NewRing(entries)
	if err != nil {
		if os.Getenv("CI") == "" && errors.Is(err, ErrUnavailable) {
			t.Skipf("no io_uring here: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// socketPair is a loopback TCP connection: the raw fd of the sending end (non-blocking) and the receiving end.
func socketPair(t *testing.T) (int, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	peer := <-accepted
	t.Cleanup(func() { c.Close(); peer.Close() })
	var fd int
	if err := mustRaw(t, c).Control(func(f uintptr) { fd = int(f) }); err != nil {
		t.Fatal(err)
	}
	return fd, peer
}

func mustRaw(t *testing.T, c net.Conn) syscall.RawConn {
	rc, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

func readExactly(t *testing.T, c net.Conn, n int) []byte {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSendAllDeliversEveryBuffer: more sends than the ring has entries, to several sockets, each arriving
// whole and in order on its own connection.
func TestSendAllDeliversEveryBuffer(t *testing.T) {
	r := newRingOrSkip(t, 8)
	const conns, rounds = 5, 7 // 35 sends through an 8-entry ring
	fds := make([]int, conns)
	peers := make([]net.Conn, conns)
	for i := range conns {
		fds[i], peers[i] = socketPair(t)
	}
	var sends []Send
	for round := range rounds {
		for i := range conns {
			sends = append(sends, Send{FD: fds[i], Buf: []byte{byte(i), byte(round), 'x'}})
		}
	}
	if err := r.SendAll(sends); err != nil {
		t.Fatal(err)
	}
	for i, s := range sends {
		if !s.Done || s.Err != 0 || s.N != 3 {
			t.Fatalf("send %d: done=%v n=%d err=%v", i, s.Done, s.N, s.Err)
		}
	}
	for i := range conns {
		got := readExactly(t, peers[i], 3*rounds)
		for round := range rounds {
			if want := []byte{byte(i), byte(round), 'x'}; !bytes.Equal(got[3*round:3*round+3], want) {
				t.Fatalf("connection %d, round %d: got %v want %v", i, round, got[3*round:3*round+3], want)
			}
		}
	}
}

// TestSendAllNeverBlocksOnAFullSocket: a peer that does not read fills its socket; the sends then answer
// EAGAIN (or take part of a buffer) at once, and a healthy socket in the same batch is served all the same.
func TestSendAllNeverBlocksOnAFullSocket(t *testing.T) {
	r := newRingOrSkip(t, 16)
	stalled, _ := socketPair(t)
	healthy, reader := socketPair(t)
	big := make([]byte, 1<<20)
	sawFull := false
	start := time.Now()
	for i := 0; i < 64 && !sawFull; i++ {
		sends := []Send{{FD: stalled, Buf: big}, {FD: healthy, Buf: []byte{byte(i)}}}
		if err := r.SendAll(sends); err != nil {
			t.Fatal(err)
		}
		if sends[1].Err != 0 || sends[1].N != 1 {
			t.Fatalf("healthy socket: n=%d err=%v", sends[1].N, sends[1].Err)
		}
		if got := readExactly(t, reader, 1); got[0] != byte(i) {
			t.Fatalf("healthy socket got %d, want %d", got[0], i)
		}
		sawFull = sends[0].Err == syscall.EAGAIN || (sends[0].Err == 0 && sends[0].N < len(big))
	}
	if !sawFull {
		t.Fatal("64 MB sent to a peer that never reads, and the socket never filled")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("sends to a full socket took %v: they must not wait", took)
	}
}

// TestSendAllReportsErrorsPerSend: a closed peer and a bad descriptor fail their own sends (no SIGPIPE), and
// the rest of the batch still goes out.
func TestSendAllReportsErrorsPerSend(t *testing.T) {
	r := newRingOrSkip(t, 8)
	gone, peer := socketPair(t)
	peer.Close()
	fine, reader := socketPair(t)
	// A reset needs a first send to provoke it; keep sending until the error shows.
	var goneErr syscall.Errno
	for i := 0; i < 100 && goneErr == 0; i++ {
		sends := []Send{{FD: gone, Buf: []byte("lost")}, {FD: -1, Buf: []byte("bad")}, {FD: fine, Buf: []byte{'k'}}}
		if err := r.SendAll(sends); err != nil {
			t.Fatal(err)
		}
		if sends[1].Err != syscall.EBADF {
			t.Fatalf("bad descriptor: err=%v, want EBADF", sends[1].Err)
		}
		if sends[2].Err != 0 || sends[2].N != 1 {
			t.Fatalf("the healthy send after two failures: n=%d err=%v", sends[2].N, sends[2].Err)
		}
		readExactly(t, reader, 1)
		goneErr = sends[0].Err
		time.Sleep(time.Millisecond)
	}
	if goneErr != syscall.EPIPE && goneErr != syscall.ECONNRESET {
		t.Fatalf("send to a closed peer: %v, want EPIPE or ECONNRESET", goneErr)
	}
}

func TestPoolLendsEachRingOnce(t *testing.T) {
	newRingOrSkip(t, 2) // skip where no ring can be had
	p, err := NewPool(2, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	a, b := p.Get(), p.Get()
	if a == nil || b == nil || a == b {
		t.Fatalf("two rings lent: %p %p", a, b)
	}
	if c := p.Get(); c != nil {
		t.Fatal("a third ring lent from a pool of two")
	}
	p.Put(a)
	if c := p.Get(); c != a {
		t.Fatal("the returned ring is not lent again")
	}
	b.broken = true
	p.Put(b)
	p.Put(a)
	if c, d := p.Get(), p.Get(); c != a || d != nil {
		t.Fatal("a broken ring came back into the pool")
	}
	var none *Pool
	if none.Get() != nil {
		t.Fatal("a nil pool lent a ring")
	}
}

// TestFailedRingMakesNoSend: when io_uring_enter fails before taking anything (here the ring's descriptor is
// swapped for one that is not a ring), no send is Done or Lost, so the caller writes them all another way,
// the error says so, and the ring refuses further use.
func TestFailedRingMakesNoSend(t *testing.T) {
	r := newRingOrSkip(t, 8)
	fd, _ := socketPair(t)
	notARing, err := syscall.Open("/dev/null", syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	ringFD := r.fd
	r.fd = notARing
	defer func() { syscall.Close(notARing); r.fd = ringFD }()
	sends := []Send{{FD: fd, Buf: []byte("a")}, {FD: fd, Buf: []byte("b")}}
	if err := r.SendAll(sends); err == nil {
		t.Fatal("SendAll through a broken ring reported no error")
	}
	for i, s := range sends {
		if s.Done || s.Lost {
			t.Fatalf("send %d: done=%v lost=%v; nothing was submitted", i, s.Done, s.Lost)
		}
	}
	if err := r.SendAll(sends[:1]); err == nil || !r.broken {
		t.Fatal("a ring that failed was used again")
	}
}
