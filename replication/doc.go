// Package replication replicates Meridian's documents between the nodes of every region:
// active-active, leaderless, convergent because the documents are Yjs CRDTs.
//
// # Layers
//
//   - core: the pure state machine (realtime push, anti-entropy, tombstones, bootstrap).
//   - tree: the Tictac XOR hash tree anti-entropy compares. wire: the peer messages and codec.
//   - transport: authenticated TCP peer streams (HMAC handshake with the cluster key, TLS optional).
//   - durable: the core's records in Pebble. membership: which nodes are alive (serf, or static).
//   - sim: the seeded deterministic cluster simulation that tests the core (TestSimulation).
//   - this package: the driver that wires them, Node; its Run goroutine steps the core, and a Ready
//     worker performs each Ready (applies, persists, sends) off it.
//   - benchrepl: `make bench-replication` (heal and realtime latency with real nodes on loopback).
//   - realproc: the real-process test (three `meridian serve` regions in network namespaces, stock
//     Yjs clients, a real link cut, SIGKILL) and its Proxy (peer-stream faults only).
//
// # Liveness
//
// A peer is live (Status().Peers[].Live, metric peer_live) while membership lists it and its stream
// was heard from within the contact timeout (3 s): every live peer gets a Heartbeat when nothing
// else went its way for 0.5 s. So a cut shows within seconds on both sides, whatever gossip still
// believes; Member reports gossip's own view, LagMillis the age of the oldest write the peer has not
// acknowledged. A peer falling silent has its stream closed and redialled (a stream across a cut
// would sit in TCP retransmission backoff), gets no retransmissions while silent, and contact
// regained starts an exchange at once. Gossip can lag a heal: a member it still has as failed keeps
// its stream (Serf.Known) and its heartbeats, and the first message through brings it back up in
// the core. Membership joins failed and reaped members itself (membership/rejoin.go), so gossip
// follows within seconds, also after serf's reconnect timeout.
//
// # The seam with the regional server
//
// The server owns clients and the document store; replication owns everything between nodes. seam.go is
// the whole seam, and the server imports this package only (layout_seams_test.go checks it).
//
//	node, err := replication.New(replication.Config{
//		Region: "eu", Node: "n1", PeerAddr: ":7947", ClusterKey: key,
//		Membership: members,             // replication.NewSerf(...) in production
//		Storage:    records,             // the core's records, kept in the server's own group commits
//		Bootstrap:  storeIsEmpty,
//		ClientLatency: writeLatency.p99, // repair backs off when client writes slow down (budget.go)
//	}, docs)                            // docs implements Documents over the server's Pebble store
//	go node.Run(ctx)
//
// Server → replication, one write, one synced batch: the store numbers a client write and commits the
// update, the document's digest and state vector, and the write's push-log entry (a reference to the
// document log, not a copy) together; once synced it calls node.LocalUpdate(DurableWrite) in number order
// (server/replicate_out.go). LocalUpdate never blocks and replication never reads back what it was given.
// Before storing a client write the server asks node.Ready() and node.IsDeleted(doc): both read atomics,
// never the core's lock.
//
// Replication → server: Documents.ApplyPeer(doc, update, done) from the Ready worker
// (ready_worker.go), which holds no lock; the server applies it through the document's room or straight
// to the store (server/replicate_in.go) and calls done with the new digest once durable. Repair reads
// (StateVector, Diff) come from what is stored, taking no lock a client write needs.
//
// Every node holds every document today: every alive member is a replication peer for every
// document. A document-to-node mapping (sharding within a region) would go behind
// membership.Membership and the peer selection in Node.syncMembers, without touching the core's
// per-peer protocol.
//
// Document bytes never travel through membership gossip; only through the peer streams.
// PROTOCOL.md specifies the peer protocol byte by byte.
package replication
