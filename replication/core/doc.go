// Package core is the replication state machine of one Meridian node: pure, with I/O at the edge
// (the shape of etcd's raft). It reads no clock, opens no socket and writes no disk; it is fed
// inputs and hands back what to apply, persist, delete and send.
//
// Inputs:
//   - Tick: the logical clock (timeouts, retransmits, exchange periods count ticks);
//   - Step(msg): a message from a peer (package wire);
//   - PeerUp / PeerDown / PeerRemoved: what membership says;
//   - LocalUpdate(DurableWrite): a write (or delete) by this node's own clients, already durable in the
//     store with its push-log entry and numbered by it; its digest moves the tree.
//
// Output: Ready, performed by the driver in order (apply, persist, delete, send), then Advance.
//
//	n, err := core.New(cfg, savedRecords)          // savedRecords: what earlier Readys persisted
//	for {
//		select {
//		case <-ticker:       n.Tick()
//		case m := <-inbound: err = n.Step(m)
//		}
//		for n.HasReady() {
//			rd := n.Ready()
//			applied := apply(rd.Apply) // the new digest of each document
//			persist(rd.Persist); remove(rd.Delete); send(rd.Messages)
//			n.Advance(rd, applied)
//		}
//	}
//
// What it does:
//   - Realtime push (push.go, peer.go): each local write gets the next sequence number of this
//     origin and joins a shared durable log; every peer has a cursor over it (its queue), sent in a
//     window, acknowledged with the next expected number, trimmed once every peer has it. A receiver
//     applies pushes in order, asks for a gap once (Ack with Gap), drops duplicates. A queue beyond
//     QueueMaxBytes is dropped: the next push carries a raised Floor so the receiver stops waiting,
//     and both sides fall back to anti-entropy. Writes never block on peers.
//   - Anti-entropy (exchange.go initiator, respond.go stateless responder): a hash tree (package
//     tree) over (document, digest) pairs, compared top → its children (twice, a confirm pass so
//     writes in flight do not cause repairs) → level by level into differing nodes → key lists of
//     differing nodes (a node with few documents has its keys listed at once: cheaper than descending,
//     tree.Count says how many) → compact key lists (front-coded ids, 4-byte entry hashes salted
//     with the exchange id, as are the Nodes32 child hashes, so a collision is not repeated); the
//     differing documents are repaired in batches (repair.go): one SyncBatch1 of state vectors, a
//     positional SyncReply with what we lack and the peer's state vectors, and a send-back only for the
//     documents whose digest still differs, so only missing structs travel, mostly one way. One
//     initiator per pair (initiator.go): when both ends owe an exchange, the lower id starts it and
//     the other waits for it.
//   - Repair throttling (repair.go): RepairDocsPerTick bounds the documents asked for per tick,
//     RepairBytesPerTick the repair bytes sent per tick (as initiator and responder; large batches
//     are split, so the budget holds to within one document); exchange bounds only cap the work of
//     one exchange.
//   - Liveness (liveness.go): a Heartbeat to every live peer that was sent nothing for
//     HeartbeatTicks; a peer not heard from for ContactTimeoutTicks is reported unreachable
//     (PeerStatus.Reachable) and gets no new exchange; contact regained starts one at once.
//     PeerStatus.LagTicks is the age of the oldest write the peer has not acknowledged.
//   - Tombstones (tombstone.go): a deleted document stays deleted; tombstones win in comparisons
//     and every later update for the document is ignored.
//   - Bootstrap (tick.go): a node configured empty is not ready (refuses local writes) until an
//     exchange with every live peer came back clean.
//
// The per-document digest is whatever the store reports with each write (DurableWrite, Applied); Meridian uses crdt.Snapshot.Digest()
// (SHA-256 of the encoded delete set and state vector), which changes on deletes too, where a
// state vector alone would not.
package core
