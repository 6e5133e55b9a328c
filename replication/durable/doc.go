// Package durable stores the replication core's records (its realtime queue, sequence counters,
// tombstones and readiness) so a node restarts where it stopped.
//
// The core says what to persist in Ready.Persist; the driver hands those records to a Storage in one
// synced batch before it sends any message that depends on them, and gives Load's result to
// core.New at start. Pebble is the real Storage (sharing the server's DB under a key prefix, or its
// own); Memory is for tests.
//
//	st := durable.NewPebble(db, []byte("repl/"))
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
