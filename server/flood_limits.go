package server

import (
	"errors"
	"flag"
	"fmt"
)

// The limits against awareness and pending-update floods (issue #15): their flags and checks.

func registerFloodFlags(fs *flag.FlagSet, l *Limits, d Limits) {
	fs.IntVar(&l.MaxAwarenessStateBytes, "max-awareness-state-bytes", d.MaxAwarenessStateBytes,
		"largest awareness state of one client, in bytes")
	fs.IntVar(&l.MaxAwarenessBytes, "max-awareness-bytes", d.MaxAwarenessBytes,
		"awareness bytes of all clients of a document")
	fs.IntVar(&l.MaxPendingBytes, "max-pending-bytes", d.MaxPendingBytes,
		"bytes of updates a document holds while they wait for changes the server does not have")
	fs.IntVar(&l.MaxPendingBytesPerNode, "max-pending-bytes-per-node", d.MaxPendingBytesPerNode,
		"pending (unresolved) update bytes of all documents of the node")
	fs.IntVar(&l.MaxPendingBytesPerSubject, "max-pending-bytes-per-subject", d.MaxPendingBytesPerSubject,
		"pending (unresolved) update bytes one token subject may cause across documents")
}

// validateFloodLimits checks the flood limits after defaults (0) may still be unset.
func (l Limits) validateFloodLimits() []error {
	var errs []error
	for _, v := range []struct {
		name string
		n    int
	}{
		{"max-awareness-state-bytes", l.MaxAwarenessStateBytes},
		{"max-awareness-bytes", l.MaxAwarenessBytes},
		{"max-pending-bytes", l.MaxPendingBytes},
		{"max-pending-bytes-per-node", l.MaxPendingBytesPerNode},
		{"max-pending-bytes-per-subject", l.MaxPendingBytesPerSubject},
	} {
		if v.n < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative (0 means the default), got %d", v.name, v.n))
		}
	}
	if l.MaxAwarenessStateBytes > 0 && l.MaxAwarenessBytes > 0 && l.MaxAwarenessStateBytes > l.MaxAwarenessBytes {
		errs = append(errs, errors.New("max-awareness-state-bytes must not exceed max-awareness-bytes"))
	}
	if l.MaxAwarenessStateBytes > 0 && l.MaxMessageBytes > 0 && l.MaxAwarenessStateBytes > l.MaxMessageBytes {
		errs = append(errs, errors.New("max-awareness-state-bytes must not exceed max-message-bytes (a state must fit in a message)"))
	}
	return errs
}
