package replication

import (
	"github.com/meridian-sync/meridian/replication/core"
	"github.com/meridian-sync/meridian/replication/durable"
)

// This file is the whole seam between replication and the regional server, both directions:
//
//   - server → replication: the store numbers a client write, commits it with its digest, state vector
//     and push-log entry in one synced batch, and hands it over with Node.LocalUpdate (a DurableWrite);
//     replication never reads back what it was given.
//   - replication → server: Documents.ApplyPeer takes a peer's update into the same durable path as a
//     client write (the document's room, or the store directly when it is not loaded) and reports the new
//     digest when durable; it does not block, and replication holds no lock while it runs.
//
// The server imports this package only: core, membership, transport and durable stay behind it.

// DurableWrite is a client write the store already holds durably with its push-log entry (see
// core.DurableWrite for the contract on its sequence number).
type DurableWrite = core.DurableWrite

// Applied is a peer update's outcome: the document's digest once it is durable.
type Applied = core.Applied

// Record is one of the replication core's durable records (its realtime log, counters, tombstones).
type Record = core.Record

// Storage keeps the core's records; the server stores them in its own Pebble batches (see Storage's
// contract in package durable: Save is atomic and durable before it returns).
type Storage = durable.Storage

// PushRecord rebuilds the record of a queued local write that the store kept as a reference to its
// document log. SeqRecord is the record of the last number given out; LastSeq reads one.
func PushRecord(w DurableWrite) Record { return core.PushRecord(w) }
func SeqRecord(seq uint64) Record      { return core.SeqRecord(seq) }
func LastSeq(r Record) (uint64, bool)  { return core.LastSeq(r) }

// BootstrapRecord marks a bootstrap under way: the server writes it durably before a node starts copying
// (core.BootstrapRecord says why), and passes Config.Bootstrap while it is there.
func BootstrapRecord() Record { return core.BootstrapRecord() }

// Documents is the regional server's document store as replication sees it. Methods are called
// concurrently with the server's own client writes and must be safe for that.
type Documents interface {
	// Docs calls fn with every held document and its digest until fn returns false; used once at
	// start to rebuild the hash tree.
	Docs(fn func(doc string, digest [32]byte) bool) error
	// StateVector and Diff serve repair and bootstrap (see core.DocReader): cheap reads of what is
	// stored, taking no lock a client write needs.
	StateVector(doc string) ([]byte, error)
	Diff(doc string, sv []byte) ([]byte, error)
	// ApplyPeer applies a peer's v1 update durably (creating the document if needed), with the new
	// digest in the same batch, and broadcasts it to the document's local clients; it is never handed
	// back to replication. It must not block: done is called exactly once, from any goroutine, once the
	// update is durable or has failed. Updates of one document are never applied concurrently.
	ApplyPeer(doc string, update []byte, done func(Applied, error))
	// DeleteDocument removes a document's content (replication keeps its tombstone) and disconnects
	// its local clients.
	DeleteDocument(doc string) error
}

var _ core.DocReader = Documents(nil)

// BatchReader is what a Documents may also implement to answer a whole sync batch in one pass over its
// store (see core.BatchReader): the server's does.
type BatchReader = core.BatchReader
