package core

// Stats are the node's counters since it started (they are not persisted).
type Stats struct {
	MessagesSent, MessagesReceived                   uint64
	PushesSent, PushesApplied, PushesDuplicate       uint64
	GapRefills, QueueOverflows                       uint64
	WritesRenumbered                                 uint64 // local writes left to anti-entropy: their number was out of order
	ExchangesStarted, ExchangesClean                 uint64
	ExchangesTimedOut, StaleReplies                  uint64
	DocsDiffering, RepairsRequested, RepairsApplied  uint64
	RepairBytesSent, RepairBytesReceived, Tombstones uint64
	// RepairMessageBytes: encoded bytes of the sync batches sent (what the bytes budget counts).
	RepairMessageBytes, StoreErrors uint64
}

// PeerStatus describes one peer's realtime queue.
type PeerStatus struct {
	ID         string
	Live       bool
	Synced     bool   // an exchange with it came back clean since it was last seen down
	QueueDepth uint64 // local writes not yet acknowledged by the peer
	QueueBytes int
	Acked      uint64 // the peer's next expected sequence number
	Overflows  uint64
	// Reachable: membership lists the peer and it was heard from within ContactTimeoutTicks.
	Reachable bool
	// SilentTicks since the last message from the peer (since it came up, if none yet).
	SilentTicks uint64
	// LagTicks is the age of the oldest local write the peer has not acknowledged (0 when none).
	LagTicks uint64
}

// Status is a snapshot of the node for metrics and GET /v1/cluster.
type Status struct {
	ID        string
	Ready     bool
	Tick      uint64
	Seq       uint64 // last local write's sequence number
	TreeTop   uint64
	Documents int // documents in the tree, tombstones included
	Tombs     int
	Exchanges int // in progress
	Peers     []PeerStatus
	Stats     Stats
}

// Status reports the node's state.
func (n *Node) Status() Status {
	st := Status{ID: n.cfg.ID, Ready: n.ready, Tick: n.tick, Seq: n.seq, TreeTop: n.tree.Top(),
		Documents: len(n.digests), Tombs: len(n.tombs), Exchanges: len(n.exchanges), Stats: n.stats}
	for _, id := range sortedKeys(n.peers) {
		p := n.peers[id]
		depth := uint64(0)
		if n.seq+1 > p.start() {
			depth = n.seq + 1 - p.start()
		}
		st.Peers = append(st.Peers, PeerStatus{ID: id, Live: p.live, Synced: n.synced[id], QueueDepth: depth,
			QueueBytes: p.bytes, Acked: p.acked, Overflows: p.overflows, Reachable: n.reachable(p),
			SilentTicks: n.tick - max(p.upSince, n.lastHeard[id]), LagTicks: n.lagTicks(p)})
	}
	return st
}
