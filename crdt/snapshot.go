package crdt

import (
	"crypto/sha256"
	"fmt"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
	"github.com/meridian-sync/meridian/crdt/internal/lib0"
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// Snapshot identifies a document state: what is deleted and what is known (yjs Snapshot).
// Two replicas holding the same content have equal snapshots, whatever order they received
// it in, which makes the snapshot's digest a cheap equality check for anti-entropy.
type Snapshot struct {
	DeleteSet   update.DeleteSet
	StateVector StateVector
}

// Snapshot captures the document's current state.
func (d *Doc) Snapshot() Snapshot {
	return Snapshot{DeleteSet: d.store.deleteSet(), StateVector: d.store.stateVector()}
}

// Encode is yjs encodeSnapshot: the delete set, then the state vector (v1 encoding).
func (s Snapshot) Encode() []byte {
	enc := codec.NewDSEncoderV1()
	s.writeTo(enc)
	return enc.Bytes()
}

// EncodeV2 is yjs encodeSnapshotV2.
func (s Snapshot) EncodeV2() []byte {
	enc := codec.NewDSEncoderV2()
	s.writeTo(enc)
	return enc.Bytes()
}

func (s Snapshot) writeTo(enc codec.DSEncoder) {
	ds := s.DeleteSet
	if ds.Clients == nil {
		ds = update.NewDeleteSet()
	}
	ds.Write(enc)
	writeStateVector(enc.Rest(), s.StateVector)
}

func writeStateVector(rest *lib0.Encoder, sv StateVector) {
	clients := sortedClientsDesc(sv)
	rest.WriteVarUint(uint64(len(clients)))
	for _, c := range clients {
		rest.WriteVarUint(c)
		rest.WriteVarUint(sv[c])
	}
}

// DecodeSnapshot parses a v1-encoded snapshot.
func DecodeSnapshot(b []byte) (Snapshot, error) { return decodeSnapshot(codec.NewDSDecoderV1(b)) }

// DecodeSnapshotV2 parses a v2-encoded snapshot.
func DecodeSnapshotV2(b []byte) (Snapshot, error) { return decodeSnapshot(codec.NewDSDecoderV2(b)) }

func decodeSnapshot(dec codec.DSDecoder) (Snapshot, error) {
	ds, err := update.ReadDeleteSet(dec)
	if err != nil {
		return Snapshot{}, fmt.Errorf("crdt: snapshot delete set: %w", err)
	}
	rest := dec.Rest()
	n, err := rest.ReadVarUint()
	if err != nil {
		return Snapshot{}, fmt.Errorf("crdt: snapshot state vector: %w", err)
	}
	if n > uint64(rest.Remaining()) {
		return Snapshot{}, fmt.Errorf("crdt: snapshot state vector declares %d entries", n)
	}
	sv := make(StateVector, n)
	for range n {
		c, err := rest.ReadVarUint()
		if err != nil {
			return Snapshot{}, fmt.Errorf("crdt: snapshot state vector: %w", err)
		}
		clock, err := rest.ReadVarUint()
		if err != nil {
			return Snapshot{}, fmt.Errorf("crdt: snapshot state vector: %w", err)
		}
		sv[c] = clock
	}
	return Snapshot{DeleteSet: ds, StateVector: sv}, nil
}

// Digest is the SHA-256 of Encode(): documents with equal content have equal digests.
func (s Snapshot) Digest() [32]byte { return sha256.Sum256(s.Encode()) }
