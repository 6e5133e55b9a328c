package core

import "github.com/meridian-sync/meridian/replication/wire"

// Reachability is judged from the peer streams themselves, not only from gossip: gossip's failure
// detector may take tens of seconds to give up on a peer (longer still on WAN timings, and a node
// that is itself cut off suspects everyone slowly), while a peer that sends us nothing for a few
// seconds is, for replication, not there. Every live peer hears from us at least every
// HeartbeatTicks (a Heartbeat when nothing else went its way), so silence longer than
// ContactTimeoutTicks means the path is cut.

// heard records that a message from id arrived at this tick. Contact regained after a silence owes
// the peer an exchange: whatever either side wrote meanwhile may have missed the realtime queue.
func (n *Node) heard(id string) {
	if p, ok := n.peers[id]; ok && !p.live {
		// Membership still has it down, yet its stream delivers: it is there. Gossip can take tens of
		// seconds to take a failed member back after a partition heals; replication need not wait.
		n.lastHeard[id] = n.tick
		n.PeerUp(id)
		return
	}
	if p, ok := n.peers[id]; ok && p.live && !n.reachable(p) {
		// Exchanges in flight across the silence lost their messages: start afresh; and resend the
		// unacknowledged pushes (retransmission paused while the peer was silent).
		for _, x := range n.exchanges {
			if x.peer == id {
				n.dropExchange(x)
			}
		}
		n.owe(id)
		n.lastHeard[id] = n.tick
		p.sent, p.lastProgress = p.start()-1, n.tick
		n.pump(id)
		return
	}
	n.lastHeard[id] = n.tick
}

// reachable reports whether membership sees the peer and it was heard from recently. A peer that
// just came up gets the contact timeout as grace before silence counts against it.
func (n *Node) reachable(p *peer) bool {
	return p.live && n.tick-max(p.upSince, n.lastHeard[p.id]) <= uint64(n.cfg.ContactTimeoutTicks)
}

// heartbeat sends a Heartbeat to every known peer that has been sent nothing for HeartbeatTicks,
// those membership has down included: when the path comes back, the first heartbeat through brings
// the peer up on the other side (heard), without waiting for gossip.
func (n *Node) heartbeat() {
	for _, id := range sortedKeys(n.peers) {
		if n.tick-n.lastSent[id] >= uint64(n.cfg.HeartbeatTicks) {
			n.send(wire.Message{Kind: wire.KindHeartbeat, To: id})
		}
	}
}

// reachablePeers lists the live peers heard from recently, in a deterministic order: the peers
// anti-entropy picks from, so an exchange is never started towards a silent peer.
func (n *Node) reachablePeers() []string {
	var ids []string
	for _, id := range n.livePeers() {
		if n.reachable(n.peers[id]) {
			ids = append(ids, id)
		}
	}
	return ids
}

// lagTicks is the age of the oldest local write the peer has not acknowledged (0 when none): how
// far behind realtime the peer is.
func (n *Node) lagTicks(p *peer) uint64 {
	for s := p.start(); s <= n.seq; s++ {
		if t, ok := n.logTick[s]; ok {
			return n.tick - t
		}
		if _, logged := n.log[s]; logged {
			return n.tick // logged before a restart: at least as old as this incarnation
		}
		if s-p.start() > 16 {
			break // entries below were trimmed for others; do not walk an unbounded range
		}
	}
	return 0
}
