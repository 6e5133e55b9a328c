package crdt

import "github.com/meridian-sync/meridian/crdt/internal/update"

// The functions below work on update bytes without building a document (yjs updates.js);
// they are linear in their input, so a server can compact and serve stored updates cheaply.

// MergeUpdates merges v1 updates into one (Y.mergeUpdates).
func MergeUpdates(updates [][]byte) ([]byte, error) { return update.Merge(updates, false) }

// MergeUpdatesV2 merges v2 updates into one (Y.mergeUpdatesV2).
func MergeUpdatesV2(updates [][]byte) ([]byte, error) { return update.Merge(updates, true) }

// DiffUpdate returns the part of a v1 update a peer with state vector sv lacks (Y.diffUpdate).
func DiffUpdate(u []byte, sv StateVector) ([]byte, error) { return update.Diff(u, sv, false) }

// DiffUpdateV2 is DiffUpdate for v2 updates.
func DiffUpdateV2(u []byte, sv StateVector) ([]byte, error) { return update.Diff(u, sv, true) }

// StateVectorFromUpdate derives the state vector a v1 update covers from clock 0
// (Y.encodeStateVectorFromUpdate, decoded).
func StateVectorFromUpdate(u []byte) (StateVector, error) { return update.StateVectorOf(u, false) }

// StateVectorFromUpdateV2 is StateVectorFromUpdate for v2 updates.
func StateVectorFromUpdateV2(u []byte) (StateVector, error) { return update.StateVectorOf(u, true) }

// ConvertUpdateV1ToV2 re-encodes a v1 update as v2.
func ConvertUpdateV1ToV2(u []byte) ([]byte, error) { return update.Convert(u, false, true) }

// ConvertUpdateV2ToV1 re-encodes a v2 update as v1.
func ConvertUpdateV2ToV1(u []byte) ([]byte, error) { return update.Convert(u, true, false) }
