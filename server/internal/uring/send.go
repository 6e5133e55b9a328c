package uring

import (
	"errors"
	"syscall"
)

// Send is one buffer for one socket. SendAll fills in N (bytes the socket took) and Err (0 on success;
// EAGAIN when the socket was full) for every Send it completed, and sets Done.
type Send struct {
	FD   int
	Buf  []byte
	N    int
	Err  syscall.Errno
	Done bool
}

// ErrUnavailable wraps why this kernel (or its seccomp profile) gives no usable ring.
var ErrUnavailable = errors.New("io_uring unavailable")
