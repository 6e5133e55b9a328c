//go:build !linux

package uring

import (
	"errors"
	"syscall"
)

// Send is one buffer for one socket (see the Linux implementation).
type Send struct {
	FD   int
	Buf  []byte
	N    int
	Err  syscall.Errno
	Done bool
}

// Ring is never set up off Linux.
type Ring struct{ broken bool }

// ErrUnavailable: io_uring is Linux's.
var ErrUnavailable = errors.New("io_uring unavailable")

// NewRing always fails off Linux.
func NewRing(uint32) (*Ring, error) { return nil, ErrUnavailable }

// SendAll is never reached: no Ring exists off Linux.
func (r *Ring) SendAll([]Send) error { return ErrUnavailable }

// Close does nothing.
func (r *Ring) Close() error { return nil }
