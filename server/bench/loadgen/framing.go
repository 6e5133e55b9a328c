package main

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The y-websocket message types the load generator sends or reads (yjs-protocol.md §6). Hocuspocus uses the
// same numbers behind its document-name envelope, plus a few of its own (auth answers, sync status) that the
// generator reads past.
const (
	msgSync      = 0
	msgAuth      = 2
	msgSyncReply = 4 // Hocuspocus: a sync message answering one of ours

	syncStep1  = 0
	syncStep2  = 1
	syncUpdate = 2

	authToken = 0 // Hocuspocus: the first message for a document, carrying the (here empty) token
)

// wireFormat says how a y-websocket message travels on one server's connections.
type wireFormat struct {
	// docEnvelope prefixes every message with the document name (varString), as Hocuspocus does: one
	// connection may carry several documents. Without it the document is in the URL (y-websocket).
	docEnvelope bool
}

// syncFrame encodes a sync message for doc.
func (w wireFormat) syncFrame(doc string, syncType uint64, payload []byte) []byte {
	b := w.envelope(doc, 1+1+binary.MaxVarintLen64+len(payload))
	b = binary.AppendUvarint(b, msgSync)
	b = binary.AppendUvarint(b, syncType)
	b = binary.AppendUvarint(b, uint64(len(payload)))
	return append(b, payload...)
}

// authFrame is Hocuspocus's opening message for doc: an auth message with an empty token. Stock Hocuspocus
// without an onAuthenticate hook accepts it.
func (w wireFormat) authFrame(doc string) []byte {
	b := w.envelope(doc, 3)
	b = binary.AppendUvarint(b, msgAuth)
	b = binary.AppendUvarint(b, authToken)
	return binary.AppendUvarint(b, 0) // empty varString
}

func (w wireFormat) envelope(doc string, room int) []byte {
	if !w.docEnvelope {
		return make([]byte, 0, room)
	}
	b := make([]byte, 0, binary.MaxVarintLen64+len(doc)+room)
	b = binary.AppendUvarint(b, uint64(len(doc)))
	return append(b, doc...)
}

// syncMessage is the part of a received frame the generator cares about.
type syncMessage struct {
	isSync   bool   // a sync message (or Hocuspocus's sync reply); everything else is read past
	syncType uint64 // step 1, step 2 or update
	payload  []byte // the state vector or update, aliasing the frame
}

var errShortFrame = errors.New("loadgen: truncated frame")

// decode parses a frame received from the server. It never panics on bad input.
func (w wireFormat) decode(frame []byte) (syncMessage, error) {
	rest := frame
	if w.docEnvelope {
		n, err := readUvarint(&rest)
		if err != nil {
			return syncMessage{}, fmt.Errorf("document name: %w", err)
		}
		if n > uint64(len(rest)) {
			return syncMessage{}, errShortFrame
		}
		rest = rest[n:]
	}
	typ, err := readUvarint(&rest)
	if err != nil {
		return syncMessage{}, fmt.Errorf("message type: %w", err)
	}
	if typ != msgSync && !(w.docEnvelope && typ == msgSyncReply) {
		return syncMessage{}, nil
	}
	st, err := readUvarint(&rest)
	if err != nil {
		return syncMessage{}, fmt.Errorf("sync type: %w", err)
	}
	n, err := readUvarint(&rest)
	if err != nil {
		return syncMessage{}, fmt.Errorf("payload length: %w", err)
	}
	if n > uint64(len(rest)) {
		return syncMessage{}, errShortFrame
	}
	return syncMessage{isSync: true, syncType: st, payload: rest[:n]}, nil
}

func readUvarint(b *[]byte) (uint64, error) {
	v, n := binary.Uvarint(*b)
	if n <= 0 {
		return 0, errShortFrame
	}
	*b = (*b)[n:]
	return v, nil
}
