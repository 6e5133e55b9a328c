package core

// Both nodes of a pair usually learn at the same moment that they should compare trees: both see the
// other come up, and an overflow is noticed by the sender (queue dropped) and the receiver (raised
// floor). One exchange repairs both sides (its syncs run both ways), so running two doubles the bytes
// for nothing. The pair's initiator is the node with the lower id; the other defers, and starts an
// exchange itself only if none arrived from the peer within DeferTicks (the peer may not have
// noticed, or its messages may be lost).

// owe records that an exchange with peer is needed soon.
func (n *Node) owe(peer string) {
	if !n.ready || n.initiates(peer) {
		n.wantExchange[peer] = true // a bootstrapping node must see its own exchanges come back clean
		return
	}
	if _, waiting := n.deferred[peer]; !waiting {
		n.deferred[peer] = n.tick + uint64(n.cfg.DeferTicks)
	}
}

// initiates reports whether this node is the one of the pair that starts owed exchanges.
func (n *Node) initiates(peer string) bool { return n.cfg.ID < peer }

// noteExchangeFrom is called for every RootsReq: a new exchange started by the peer covers what we
// owed it, because it compares the trees as they are now and repairs both sides.
func (n *Node) noteExchangeFrom(peer string, xid uint64) {
	if n.lastXidFrom[peer] == xid {
		return // the confirm pass of an exchange already seen
	}
	n.lastXidFrom[peer] = xid
	delete(n.deferred, peer)
}
