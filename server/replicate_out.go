package server

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/meridian-sync/meridian/replication"
	"github.com/meridian-sync/meridian/server/store"
)

// This file is where the server hands its durable writes to replication. A client write's update, digest,
// state vector and push-log entry commit in one synced batch (room.append → store.AppendWithState with
// Replicate); the store numbers it in commit order and, once synced, calls handOver on its commit goroutine.
// Replication takes it from there without reading anything back.

// handOver is the store's OnNumbered: every numbered write of a synced batch, in order.
func (s *Server) handOver(writes []store.Numbered) {
	if s.repl == nil {
		return
	}
	for _, w := range writes {
		s.repl.LocalUpdate(replication.DurableWrite{Doc: w.Doc, Update: w.Update, Digest: w.Digest, Seq: w.Seq, Deleted: w.Deleted})
	}
}

// deleteInCluster deletes a document for good in every region: the store removes it and writes the push
// entry of its tombstone in one batch (handOver then spreads it); alone, a plain delete.
func (s *Server) deleteInCluster(id string) error {
	if s.repl == nil {
		return s.store.Delete(id)
	}
	return s.store.DeleteReplicated(id)
}

// replicationRecords keeps the replication core's records in the server's store, in the same group commits
// as the documents; the push entries the store keeps by reference come back as the core's records.
type replicationRecords struct {
	st      *store.Store
	closing *atomic.Bool // the server is shutting down
}

var _ replication.Storage = replicationRecords{}

func (r replicationRecords) Load() ([]replication.Record, error) {
	raw, pushes, err := r.st.ReplicationRecords()
	if err != nil {
		return nil, err
	}
	out := make([]replication.Record, 0, len(raw)+len(pushes))
	for _, rec := range raw {
		out = append(out, replication.Record{Key: rec.Key, Value: rec.Value})
	}
	for _, p := range pushes {
		out = append(out, replication.PushRecord(replication.DurableWrite{Doc: p.Doc, Update: p.Update, Seq: p.Seq, Deleted: p.Deleted}))
	}
	return out, nil
}

func (r replicationRecords) Save(records []replication.Record) error {
	raw := make([]store.Record, len(records))
	for i, rec := range records {
		raw[i] = store.Record{Key: rec.Key, Value: rec.Value}
	}
	// While the disk is full, replication waits here (its other work goes on) and resumes once the store
	// takes writes again: an error would stop the replication node for good.
	for {
		err := r.st.SaveReplicationRecords(raw)
		if !errors.Is(err, store.ErrFull) || r.closing.Load() {
			return err
		}
		time.Sleep(250 * time.Millisecond)
	}
}
