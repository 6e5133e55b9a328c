package core

import "errors"

var (
	// ErrNotReady is returned for local writes while the node is still bootstrapping.
	ErrNotReady = errors.New("meridian/replication/core: node is bootstrapping, not ready for writes")
	// ErrDeleted is returned for a local write to a document that carries a tombstone.
	ErrDeleted = errors.New("meridian/replication/core: document is deleted")
	// ErrUnknownSender is returned by Step for a message without From.
	ErrUnknownSender = errors.New("meridian/replication/core: message has no sender")
	// ErrBadMessage is returned by Step for a message whose fields contradict its kind.
	ErrBadMessage = errors.New("meridian/replication/core: bad message")
	// ErrBadWrite is returned by LocalUpdate for a DurableWrite the store did not number.
	ErrBadWrite = errors.New("meridian/replication/core: bad durable write")
	// ErrCorruptState is returned by New for a persisted record it cannot parse.
	ErrCorruptState = errors.New("meridian/replication/core: corrupt persisted state")
)
