package core

// peer is the sender-side cursor of one peer's realtime queue over the shared log. The queue is the
// log range [start(), seq]: everything from floor on (writes before floor were dropped by an overflow
// or predate the peer) that the peer has not acknowledged.
type peer struct {
	id           string
	upSince      uint64 // tick membership last reported the peer up
	floor        uint64 // first sequence number this queue promises
	acked        uint64 // the peer's last "next expected" answer
	sent         uint64 // highest sequence number sent in the current round
	bytes        int    // bytes of log entries in the queue
	live         bool   // membership says the peer is reachable
	lastProgress uint64 // tick of the last ack that moved acked, or of the last rewind
	lastRewind   uint64 // tick of the last gap-triggered rewind, to rewind once per tick
	overflows    uint64
	// bootstrapping: membership says the peer is copying (not ready). It runs its own exchanges until
	// one comes back clean, so this node starts none with it: two exchanges of the same pair would
	// move every document twice.
	bootstrapping bool
}

// PeerBootstrapping records what membership says of a peer's readiness (false for a peer that never said).
func (n *Node) PeerBootstrapping(id string, bootstrapping bool) {
	if p := n.peers[id]; p != nil {
		p.bootstrapping = bootstrapping
	}
}

func (p *peer) start() uint64 { return max(p.floor, p.acked) }

// PeerUp records that membership sees id as reachable (joined, or back after a failure). A peer seen
// for the first time gets a realtime queue starting at the next local write, and every peer coming up
// is owed an anti-entropy exchange: whatever it missed while away is found by comparison.
func (n *Node) PeerUp(id string) {
	if id == n.cfg.ID {
		return
	}
	p, ok := n.peers[id]
	if !ok {
		p = &peer{id: id, floor: n.seq + 1}
		p.sent = p.floor - 1
		n.peers[id] = p
		n.persistPeer(id, p)
	}
	if !p.live {
		p.live = true
		p.upSince = n.tick
		p.sent = p.start() - 1 // resend everything unacknowledged
		p.lastProgress = n.tick
		n.owe(id)
	}
	n.pump(id)
}

// PeerDown records that membership sees id as unreachable. Its queue is kept (and may overflow).
func (n *Node) PeerDown(id string) {
	if p, ok := n.peers[id]; ok {
		p.live = false
	}
	n.synced[id] = false
	for _, x := range n.exchanges {
		if x.peer == id {
			n.dropExchange(x)
		}
	}
}

// PeerRemoved forgets a peer that left the cluster for good: its queue is deleted.
func (n *Node) PeerRemoved(id string) {
	n.PeerDown(id)
	if _, ok := n.peers[id]; ok {
		delete(n.peers, id)
		delete(n.synced, id)
		n.persist(pfxPeer+id, nil)
		n.trimLog()
	}
}

func (n *Node) persistPeer(id string, p *peer) {
	n.persist(pfxPeer+id, uvarints(p.floor, p.acked))
}

// livePeers lists reachable peers in a deterministic order (map order would break seeded replays).
func (n *Node) livePeers() []string {
	var ids []string
	for id, p := range n.peers {
		if p.live {
			ids = append(ids, id)
		}
	}
	sortStrings(ids)
	return ids
}
