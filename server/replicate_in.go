package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication"
	"github.com/meridian-sync/meridian/server/store"
)

// This file is where replication hands peers' updates to the server (peerDocuments.ApplyPeer), and where
// repair and bootstrap read what is stored. Nothing here takes a lock a client write needs: reads go to
// Pebble snapshots and the state vectors and digests stored with each write, and applies go through the
// same group commit as client writes without blocking the caller.

// peerDocuments is the server's document store as replication sees it (replication.Documents).
type peerDocuments struct{ s *Server }

var _ replication.Documents = peerDocuments{}

// ApplyPeer stores a peer's update. A loaded document takes it in its room (broadcast to its clients, like
// a client's write); any other is written straight to the store, the document rebuilt only to compute its
// new digest and state vector, so a bootstrap of many documents costs no room per document.
func (p peerDocuments) ApplyPeer(doc string, update []byte, done func(replication.Applied, error)) {
	rm, direct := p.s.hub.beginDirect(doc)
	switch {
	case rm != nil:
		go func() {
			defer p.s.hub.release(rm, false)
			if !rm.post(roomEvent{kind: evCall, fn: func(r *room) { r.applyPeer(update, done) }}) {
				done(replication.Applied{Doc: doc}, errShuttingDown)
			}
		}()
	case direct:
		go func() {
			defer p.s.hub.endDirect(doc)
			done(p.applyDirect(doc, update))
		}()
	default:
		done(replication.Applied{Doc: doc}, errShuttingDown)
	}
}

// applyDirect applies a peer update to a document no room holds and waits until it is durable.
func (p peerDocuments) applyDirect(doc string, update []byte) (replication.Applied, error) {
	d, err := p.load(doc)
	if errors.Is(err, store.ErrDeleted) {
		return replication.Applied{Doc: doc}, nil // a tombstone here wins; replication knows
	}
	if err != nil {
		return replication.Applied{Doc: doc}, err
	}
	held := d != nil
	if !held {
		d = crdt.NewDoc()
	}
	before := d.EncodeStateVector()
	if err := applyRecovered(d, update); err != nil {
		return replication.Applied{Doc: doc}, err
	}
	applied := replication.Applied{Doc: doc, Digest: d.Snapshot().Digest(), Held: true}
	after := d.EncodeStateVector()
	if held {
		if old, ok, _ := p.s.store.Digest(doc); ok && old == applied.Digest && string(before) == string(after) {
			return applied, nil // nothing new: a duplicate or an echo
		}
	}
	// While this node bootstraps nothing it stores is acknowledged to a client, and a crash makes it copy
	// again (needsBootstrap): its copies need no fsync of their own.
	lazy := p.s.repl != nil && !p.s.repl.Ready()
	w := p.s.store.AppendWithState(doc, update, store.DocState{Digest: applied.Digest, StateVector: after, Lazy: lazy})
	return applied, w.Wait()
}

// applyRecovered applies update, turning an engine panic into an error (the engine's safety net, as in
// room.applySafely).
func applyRecovered(d *crdt.Doc, update []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errEnginePanic, r)
		}
	}()
	return d.ApplyUpdate(update)
}

// load rebuilds a stored document; nil when the store does not hold it.
func (p peerDocuments) load(id string) (*crdt.Doc, error) {
	parts, err := p.parts(id)
	if err != nil || parts == nil {
		return nil, err
	}
	doc := crdt.NewDoc()
	for _, u := range parts {
		if err := doc.ApplyUpdate(u); err != nil {
			return nil, errors.Join(errCorruptDocument, err)
		}
	}
	return doc, nil
}

// parts is the document as stored: its snapshot and log, in order; nil when it does not exist.
func (p peerDocuments) parts(id string) ([][]byte, error) {
	d, err := p.s.store.Load(id)
	if err != nil || !d.Exists {
		return nil, err
	}
	return storedParts(d), nil
}

// storedParts is a stored document's snapshot and log, in order.
func storedParts(d store.Document) [][]byte {
	if d.Snapshot != nil {
		return append([][]byte{d.Snapshot}, d.Updates...)
	}
	return d.Updates
}

// StateVector is the one stored with the document's last write; a document written before state vectors
// were kept is rebuilt once.
func (p peerDocuments) StateVector(id string) ([]byte, error) {
	if sv, ok, err := p.s.store.StateVector(id); ok || err != nil {
		return sv, err
	}
	d, err := p.load(id)
	if errors.Is(err, store.ErrDeleted) || d == nil {
		return []byte{0}, nil // the empty state vector
	}
	if err != nil {
		return nil, err
	}
	return d.EncodeStateVector(), nil
}

// Diff is what the document holds beyond sv, computed on the stored bytes (update-level merge and diff, no
// document built). Against the empty state vector, as a bootstrap asks, it is the stored state itself.
func (p peerDocuments) Diff(id string, sv []byte) ([]byte, error) {
	parts, err := p.parts(id)
	if errors.Is(err, store.ErrDeleted) || (err == nil && parts == nil) {
		return []byte{0, 0}, nil // the empty update
	}
	if err != nil {
		return nil, err
	}
	return diffParts(parts, sv)
}

// diffParts is what stored parts hold beyond the encoded state vector sv.
func diffParts(parts [][]byte, sv []byte) ([]byte, error) {
	v, err := crdt.DecodeStateVector(sv)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return []byte{0, 0}, nil
	}
	merged := parts[0]
	if len(parts) > 1 {
		if merged, err = crdt.MergeUpdates(parts); err != nil {
			return nil, err
		}
	}
	if len(v) == 0 {
		return merged, nil
	}
	return crdt.DiffUpdate(merged, v)
}

var _ replication.BatchReader = peerDocuments{}

// ReadBatch answers a peer's sync batch in one pass over the store (store.LoadMany): per document, what it
// lacks against its state vector, and ours.
func (p peerDocuments) ReadBatch(docs []string, svs [][]byte) (diffs, ours [][]byte, err error) {
	diffs, ours = make([][]byte, len(docs)), make([][]byte, len(docs))
	var failed error
	err = p.s.store.LoadMany(docs, func(i int, d store.Document, sv []byte, err error) {
		if failed != nil {
			return
		}
		if errors.Is(err, store.ErrDeleted) || (err == nil && !d.Exists) {
			diffs[i], ours[i] = []byte{0, 0}, []byte{0}
			return
		}
		if err == nil {
			diffs[i], err = diffParts(storedParts(d), svs[i])
		}
		if err == nil && sv == nil { // written before state vectors were kept
			sv, err = p.StateVector(docs[i])
		}
		ours[i], failed = sv, err
	})
	if err == nil {
		err = failed
	}
	return diffs, ours, err
}

func (p peerDocuments) digest(id string) ([32]byte, bool, error) {
	if d, ok, err := p.s.store.Digest(id); ok || err != nil {
		return d, ok, err
	}
	// Written before replication was enabled: compute it (the next write stores it).
	doc, err := p.load(id)
	if doc == nil || err != nil {
		if errors.Is(err, store.ErrDeleted) {
			err = nil
		}
		return [32]byte{}, false, err
	}
	return doc.Snapshot().Digest(), true, nil
}

func (p peerDocuments) Docs(fn func(string, [32]byte) bool) error {
	cursor := ""
	for {
		page, next, err := p.s.store.List("", cursor, 1000)
		if err != nil {
			return err
		}
		for _, info := range page {
			d, ok, err := p.digest(info.ID)
			if err != nil {
				return err
			}
			if ok && !fn(info.ID, d) {
				return nil
			}
		}
		if next == "" || len(page) == 0 {
			return nil
		}
		cursor = next
	}
}

// DeleteDocument removes a document replication deleted (a tombstone from a peer): its clients are closed
// with CloseDeleted and the store keeps its own tombstone.
func (p peerDocuments) DeleteDocument(id string) error {
	ctx, cancel := shutdownContext()
	defer cancel()
	p.s.hub.evict(ctx, id)
	if err := p.s.store.Delete(id); err != nil && !errors.Is(err, store.ErrDeleted) {
		return err
	}
	return nil
}

// shutdownContext bounds how long a peer's delete waits for a loading document's room.
func shutdownContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}
