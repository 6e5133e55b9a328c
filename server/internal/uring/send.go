package uring

import (
	"errors"
	"syscall"
)

// Send is one buffer for one socket. SendAll fills in N (bytes the socket took) and Err (0 on success;
// EAGAIN when the socket was full) for every Send it completed, and sets Done. When the ring fails, a send it
// had already submitted but whose completion never came back is Lost: the kernel may still send it, and may
// still read Buf, so the caller must neither send it again nor reuse Buf; the connection's stream is no
// longer known and must be ended. A send neither Done nor Lost was not made.
type Send struct {
	FD   int
	Buf  []byte
	N    int
	Err  syscall.Errno
	Done bool
	Lost bool
}

// ErrUnavailable wraps why this kernel (or its seccomp profile) gives no usable ring.
var ErrUnavailable = errors.New("io_uring unavailable")
