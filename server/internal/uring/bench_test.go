//go:build linux

package uring

import (
	"io"
	"net"
	"syscall"
	"testing"
	"unsafe"
)

// The peer of a ring: one write(2) per buffer. Both benchmarks send a 60-byte frame (a typical keystroke
// update) to each of 100 loopback connections in turn, batches of 10 (a room of ten members), with the
// receiving ends drained by other goroutines; ns/op is the sender's time per buffer sent. On the project's
// VM (2026-12-07): write(2) 5.2-5.4 µs, ring 3.4-3.5 µs per send (BENCHMARKS.md, Server).
//
//	go test -run '^$' -bench 'Send' ./server/internal/uring

const benchConns, benchBatch = 100, 10

func benchSockets(b *testing.B) []int {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for range benchConns {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	// The listener closes only once every connection is accepted: closing it resets the ones still queued.
	defer func() { <-accepted; ln.Close() }()
	var fds []int
	for range benchConns {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		rc, _ := c.(*net.TCPConn).SyscallConn()
		_ = rc.Control(func(fd uintptr) { fds = append(fds, int(fd)) })
	}
	return fds
}

func BenchmarkSendWrite(b *testing.B) {
	fds := benchSockets(b)
	frame := make([]byte, 60)
	b.ResetTimer()
	for i := range b.N {
		fd := fds[i%len(fds)]
		if _, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&frame[0])), uintptr(len(frame))); errno != 0 && errno != syscall.EAGAIN {
			b.Fatal(errno)
		}
	}
}

func BenchmarkSendRing(b *testing.B) {
	r, err := NewRing(64)
	if err != nil {
		b.Skip(err)
	}
	defer r.Close()
	fds := benchSockets(b)
	frame := make([]byte, 60)
	sends := make([]Send, benchBatch)
	b.ResetTimer()
	for i := 0; i < b.N; i += benchBatch {
		for j := range sends {
			sends[j] = Send{FD: fds[(i+j)%len(fds)], Buf: frame}
		}
		if err := r.SendAll(sends); err != nil {
			b.Fatal(err)
		}
	}
}
