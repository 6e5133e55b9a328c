package server

import (
	"errors"
	"fmt"
	"time"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication"
	"github.com/meridian-sync/meridian/server/protocol"
	"github.com/meridian-sync/meridian/server/store"
)

var (
	refuseMalformed  = refusal{CloseMalformed, "malformed", "malformed message"}
	refuseReadOnly   = refusal{CloseForbidden, "read_only_write", "read-only access: document updates are refused"}
	refuseDocTooBig  = refusal{CloseTooLarge, "document_too_large", "document size limit reached"}
	refuseAwareness  = refusal{CloseRateLimited, "awareness_limit", "too many awareness states in this document"}
	refuseBadUpdate  = refusal{CloseMalformed, "bad_update", "update does not decode"}
	refuseBadStateSV = refusal{CloseMalformed, "bad_state_vector", "state vector does not decode"}
)

// frame handles one decoded message of a member.
func (r *room) frame(s *session, m *member, msg protocol.Message) {
	switch msg.Type {
	case protocol.MessageSync:
		r.syncMessage(s, m, msg.Sync)
	case protocol.MessageAwareness:
		r.awarenessMessage(s, m, msg.Awareness)
	case protocol.MessageQueryAwareness:
		r.sendAwarenessSnapshot(s)
	default:
		// Auth and extension messages only flow server → client; a client sending one is ignored, as the
		// reference server ignores unknown types.
	}
}

func (r *room) syncMessage(s *session, m *member, msg protocol.SyncMessage) {
	switch msg.Type {
	case protocol.SyncStep1:
		sv, err := crdt.DecodeStateVector(msg.Payload)
		if err != nil {
			s.refuse(refuseBadStateSV)
			return
		}
		answer := protocol.EncodeSyncStep2(r.doc.EncodeStateAsUpdate(sv))
		r.queue.push(nil, func(err error) {
			if err == nil {
				r.send(s, answer)
			} else {
				refuseUnstored(s, err)
			}
		})
	case protocol.SyncStep2, protocol.SyncUpdate:
		r.pending.writer = s.principal.Subject
		writes, ref := r.ingest(msg.Payload, s.access.Write)
		if ref != nil {
			r.keepWrites(writes)
			s.refuse(*ref)
			return
		}
		if !s.access.Write {
			return // a read-only client's harmless step 2: nothing to store, nothing to ack
		}
		m.updates++
		acked := m.updates // by value: later updates are not durable yet when this runs
		r.afterWrites(writes, func(err error) {
			if err != nil {
				refuseUnstored(s, err)
			}
			if err == nil && s.ext.Ack {
				r.send(s, protocol.EncodeAck(protocol.Ack{Updates: acked, Regions: 1}))
			}
		})
	}
}

// afterWrites queues the broadcasts of writes, then done, all in commit order.
func (r *room) afterWrites(writes []pendingWrite, done func(error)) {
	queued := time.Now()
	for _, w := range writes {
		frame, arrived := w.broadcast, w.arrived
		r.queue.push(w.write, func(err error) {
			if err == nil && frame != nil {
				r.srv.metrics.durableWait.Observe(time.Since(queued).Seconds())
				if !arrived.IsZero() {
					r.srv.writeLatency.observe(time.Since(arrived))
				}
				r.broadcast(frame)
			}
		})
	}
	r.queue.push(nil, done)
}

// pendingWrite is one stored update of an ingest. A client's reaches replication from the store itself,
// once durable (replicate_out.go).
type pendingWrite struct {
	write     *store.Write
	broadcast []byte // the sync update frame to send to the room once durable; nil for bookkeeping writes
	// arrived is when a WebSocket client's update was read: its latency to durable is what repair protects
	// (zero for a peer's, and for an HTTP write, whose handler measures it whole).
	arrived time.Time
}

// ingest applies a client's update to the document and queues it for storage. A read-only client's update is
// refused unless it would change nothing (Yjs clients send their whole delete set in every step 2).
func (r *room) ingest(update []byte, canWrite bool) ([]pendingWrite, *refusal) {
	return r.ingestFrom(update, canWrite, originClient)
}

// ingestFrom is ingest for an update of either origin: a client's write is refused while replication
// bootstraps or once the document is deleted in the cluster, and is handed to replication once durable; a
// peer's is only stored and broadcast (peers never forward).
func (r *room) ingestFrom(update []byte, canWrite bool, origin writeOrigin) ([]pendingWrite, *refusal) {
	if !canWrite {
		if r.changesNothing(update) {
			return nil, nil
		}
		return nil, &refuseReadOnly
	}
	if ref := r.srv.storageRefusal(); ref != nil && !r.changesNothing(update) {
		return nil, ref
	}
	if origin == originClient {
		if ref := r.srv.replicationRefusal(r.id); ref != nil {
			return nil, ref
		}
	}
	limit := r.srv.cfg.Limits.MaxDocumentBytes
	if r.docBytes+len(update) > limit {
		// The estimate only grows; measure the real size before refusing.
		r.docBytes = len(r.doc.EncodeStateAsUpdate(nil))
		if r.docBytes+len(update) > limit {
			return nil, &refuseDocTooBig
		}
	}
	r.captured = r.captured[:0]
	start := time.Now()
	err := r.applyBudgeted(update, origin)
	r.srv.metrics.applySeconds.Observe(time.Since(start).Seconds())
	if errors.Is(err, errEnginePanic) {
		r.fail(err)
		return nil, &refuseBadUpdate
	}
	overBudget := r.pendingRefusal(err) // the integrable part was applied, the rest dropped: keep the part
	if err != nil && overBudget == nil {
		return nil, &refuseBadUpdate
	}
	var writes []pendingWrite
	pending := r.doc.HasPending() && overBudget == nil
	client := origin == originClient
	for i, u := range r.captured {
		w := r.append(u, i == len(r.captured)-1 && !pending, client)
		writes = append(writes, pendingWrite{write: &w, broadcast: protocol.EncodeSyncUpdate(u), arrived: r.arrived})
		r.docBytes += len(u)
	}
	if pending {
		// Structs waiting for missing dependencies are not in any emitted update; keep the raw update so they
		// survive a restart (merging it again later is harmless). Peers get them with the updates they wait on.
		w := r.append(update, true, false)
		writes = append(writes, pendingWrite{write: &w})
		r.docBytes += len(update)
	}
	return writes, overBudget
}

// append queues one update for storage. With replication on, the last update of an ingest carries the
// document's digest and state vector into the same batch, so they always describe the stored state; every
// update of a client's ingest is numbered for replication's push log in its batch (one write, one fsync).
func (r *room) append(u []byte, last, client bool) store.Write {
	if r.srv.repl == nil {
		return r.srv.store.Append(r.id, u)
	}
	st := store.DocState{Replicate: client}
	if last {
		st.Digest, st.StateVector = r.doc.Snapshot().Digest(), r.doc.EncodeStateVector()
	}
	if !last && !client {
		return r.srv.store.Append(r.id, u)
	}
	return r.srv.store.AppendWithState(r.id, u, st)
}

// errEnginePanic reports a panic inside the CRDT engine. The engine promises errors, not panics, on bad input;
// this is the safety net that keeps one bad update from taking the whole node down.
var errEnginePanic = errors.New("meridian: the CRDT engine panicked")

// applySafely applies update, turning an engine panic into errEnginePanic. After one, the in-memory document
// may be half-changed, so the caller unloads the room (the store holds only complete updates).
func (r *room) applySafely(update []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.srv.metrics.refusals.WithLabelValues("engine_panic").Inc()
			r.srv.log.Error("CRDT engine panicked on an update; unloading the document", "doc", r.id, "panic", fmt.Sprint(p))
			err = errEnginePanic
		}
	}()
	return r.doc.ApplyUpdate(update)
}

// changesNothing reports whether update carries no struct and no delete the document lacks.
func (r *room) changesNothing(update []byte) (harmless bool) {
	defer func() {
		if recover() != nil {
			harmless = false
		}
	}()
	diff, err := crdt.DiffUpdate(update, r.doc.StateVector())
	if err != nil {
		return false
	}
	ds, hasStructs, err := protocol.DecodeStructlessUpdate(diff)
	if err != nil || hasStructs {
		return false
	}
	if len(ds) == 0 {
		return true
	}
	have, err := protocol.DecodeSnapshotDeleteSet(r.doc.Snapshot().Encode())
	return err == nil && have.Covers(ds)
}

func (r *room) awarenessMessage(s *session, m *member, payload []byte) {
	entries, err := protocol.DecodeAwarenessUpdate(payload)
	if err != nil {
		s.refuse(refuseMalformed)
		return
	}
	if !s.access.Presence {
		// Not stored, not forwarded. Echoing it to the sender alone keeps the stock client's 30 s liveness
		// check satisfied in a quiet room without anyone else seeing this user.
		r.send(s, protocol.EncodeAwarenessMessage(payload))
		return
	}
	accepted, err := r.awareness.Apply(entries, time.Now())
	if errors.Is(err, protocol.ErrAwarenessFull) {
		s.refuse(refuseAwareness)
		return
	}
	if ref := r.awarenessRefusal(err); ref != nil {
		s.refuse(*ref)
		return
	}
	for _, e := range accepted {
		if e.IsNull() {
			delete(m.clients, e.ClientID)
		} else {
			if m.clients == nil {
				m.clients = map[uint64]bool{}
			}
			m.clients[e.ClientID] = true
		}
	}
	if len(accepted) > 0 {
		r.broadcast(protocol.EncodeAwarenessMessage(protocol.EncodeAwarenessUpdate(accepted)))
	}
}

// applyHTTP applies an update posted to the HTTP API and calls reply once it is durable (or refused).
func (r *room) applyHTTP(update []byte, reply func(error)) {
	if r.broken || r.draining {
		reply(errShuttingDown)
		return
	}
	writes, ref := r.ingest(update, true)
	if ref != nil {
		r.keepWrites(writes)
		r.srv.metrics.refusals.WithLabelValues(ref.metric).Inc()
		reply(refusalError(ref))
		return
	}
	r.afterWrites(writes, reply)
}

var errRefused = errors.New("refused")

// applyPeer applies an update replicated from a peer and calls reply once it is durable: broadcast to the
// document's clients and stored with its digest, like a client's write, but never handed back to replication.
func (r *room) applyPeer(update []byte, reply func(replication.Applied, error)) {
	if r.broken || r.draining {
		reply(replication.Applied{Doc: r.id}, errShuttingDown)
		return
	}
	writes, ref := r.ingestFrom(update, true, originPeer)
	if ref != nil {
		r.srv.metrics.refusals.WithLabelValues("peer_" + ref.metric).Inc()
		reply(replication.Applied{Doc: r.id}, refusalError(ref))
		return
	}
	applied := replication.Applied{Doc: r.id, Digest: r.doc.Snapshot().Digest(), Held: true}
	r.afterWrites(writes, func(err error) { reply(applied, err) })
}
