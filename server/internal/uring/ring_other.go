//go:build !linux

package uring

// Ring is never set up off Linux: io_uring is Linux's.
type Ring struct{ broken bool }

// NewRing always fails off Linux.
func NewRing(uint32) (*Ring, error) { return nil, ErrUnavailable }

// SendAll is never reached: no Ring exists off Linux.
func (r *Ring) SendAll([]Send) error { return ErrUnavailable }

// Close does nothing.
func (r *Ring) Close() error { return nil }
