// Package durable stores the replication core's records (its realtime queue, sequence counters,
// tombstones and readiness) so a node restarts where it stopped.
//
// The core says what to persist in Ready.Persist; the driver hands those records to a Storage in one
// synced batch before it sends any message that depends on them, and gives Load's result to
// core.New at start. The real Storage is the server's own document store (server/replicate_out.go): the
// records share its group commits, and the push-log entries of local writes are written by the store
// itself, in the batch of the write, as references to the document log. Memory is for tests and benches.
//
//	st := durable.NewMemory()
//	saved, err := st.Load()
//	node, err := core.New(cfg, saved)
//	...
//	err = st.Save(rd.Persist)
package durable

import "github.com/meridian-sync/meridian/replication/core"

// Storage persists core records.
type Storage interface {
	// Load returns every stored record, sorted by key.
	Load() ([]core.Record, error)
	// Save writes the records atomically and durably (fsynced) in order; a nil Value deletes.
	Save(records []core.Record) error
}
