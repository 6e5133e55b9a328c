package core

import (
	"fmt"

	"github.com/meridian-sync/meridian/replication/tree"
	"github.com/meridian-sync/meridian/replication/wire"
)

type phase int

const (
	phaseRoots        phase = iota // waiting for the first roots
	phasePause                     // between the two root comparisons
	phaseRootsConfirm              // waiting for the confirming roots
	phaseNodes                     // descending: waiting for the children of differing nodes
	phaseKeys                      // waiting for key lists of differing segments
	phaseSync                      // repairing the differing documents batch by batch (repair.go)
)

// exchange is one anti-entropy comparison this node initiated (after Riak's Tictac AAE): roots, a
// pause, roots again (only top children differing both times go on: writes in flight settle
// meanwhile), then a descent level by level into the children of differing nodes down to the
// segments, their key lists, and a two-way sync per differing document. Every step is bounded, and
// an exchange that hit a bound is followed by another.
type exchange struct {
	xid      uint64
	peer     string
	phase    phase
	started  uint64
	resumeAt uint64
	first    []int          // children of the top differing in the first comparison
	level    int            // phaseNodes: the level of nodes
	nodes    []uint32       // phaseNodes: differing nodes at level whose children were asked for
	segments []uint32       // legacy KeysReq: segments whose key lists were asked for
	keyNodes []wire.NodeRef // nodes whose key lists are (to be) asked for
	bounded  bool           // a bound cut the work short
	// phaseSync: documents still to ask for, what the peer's key list said of each, and the batches
	// awaiting their replies, by their own xids (batches.go).
	queue        []string
	want         map[string]theirKey
	batches      map[uint64]*syncBatch
	lastActivity uint64 // tick of the last reply or request: the timeout counts from here
}

func (n *Node) startExchange(peer string) {
	x := &exchange{xid: n.nextXid(), peer: peer, started: n.tick, lastActivity: n.tick}
	n.exchanges[x.xid] = x
	delete(n.wantExchange, peer)
	delete(n.deferred, peer)
	n.stats.ExchangesStarted++
	n.send(wireRootsReq(x, n.tree.Top()))
}

func (n *Node) exchangingWith(peer string) bool {
	for _, x := range n.exchanges {
		if x.peer == peer {
			return true
		}
	}
	return false
}

// finish ends an exchange. clean means the trees matched (after the confirm pass, nothing to repair):
// that is what a bootstrapping node waits for from every peer.
func (n *Node) finish(x *exchange, clean bool) {
	n.dropExchange(x)
	if clean {
		n.stats.ExchangesClean++
		n.synced[x.peer] = true
		return
	}
	if x.bounded || !n.ready {
		n.wantExchange[x.peer] = true // keep going at once: the repair is not complete
	}
}

func (n *Node) onExchangeReply(m wire.Message) error {
	x := n.exchanges[m.Xid]
	if x == nil || x.peer != m.From {
		n.stats.StaleReplies++
		return nil // an abandoned exchange, or a duplicate
	}
	x.lastActivity = n.tick
	switch {
	case m.Kind == wire.KindRoots && (x.phase == phaseRoots || x.phase == phaseRootsConfirm):
		return n.onRoots(x, m)
	case (m.Kind == wire.KindNodes || m.Kind == wire.KindNodes32) && x.phase == phaseNodes:
		return n.onNodes(x, m)
	case m.Kind == wire.KindKeyHashes && x.phase == phaseKeys:
		return n.onKeyHashes(x, m)
	}
	n.stats.StaleReplies++
	return nil
}

func (n *Node) onRoots(x *exchange, m wire.Message) error {
	s := n.tree.Shape()
	sameShape := int(m.Fanout) == s.Fanout && int(m.Depth) == s.Depth
	if len(m.Hashes) == 0 && sameShape {
		// The peer's top matched the top we sent; if ours has not moved since, we are in sync.
		n.finish(x, m.Top == n.tree.Top())
		if m.Top != n.tree.Top() {
			n.wantExchange[x.peer] = true
		}
		return nil
	}
	if !sameShape || len(m.Hashes) != s.Fanout {
		n.finish(x, false)
		return fmt.Errorf("%w: peer %s tree shape %d^%d (%d hashes), ours %d^%d", ErrBadMessage, m.From,
			m.Fanout, m.Depth, len(m.Hashes), s.Fanout, s.Depth)
	}
	mine, _ := n.tree.Children(0, 0)
	differing := tree.Differing(mine, m.Hashes)
	if x.phase == phaseRoots {
		if len(differing) == 0 {
			n.finish(x, true)
			return nil
		}
		x.first, x.phase, x.resumeAt = differing, phasePause, n.tick+uint64(n.cfg.ConfirmPauseTicks)
		return nil
	}
	confirmed := intersect(x.first, differing)
	if len(confirmed) == 0 {
		n.finish(x, true) // the differences were writes in flight
		return nil
	}
	n.descend(x, 1, toUint32(confirmed))
	return nil
}

// descend continues the exchange with differing nodes at level. A node whose documents are cheaper
// to list than to descend into (few documents, or a segment) joins the key list to ask for; the
// others are descended into (their children asked for). When nothing is left to descend, the key
// lists of all collected nodes are asked for in one request.
func (n *Node) descend(x *exchange, level int, nodes []uint32) {
	var deeper []uint32
	for _, node := range nodes {
		if level < n.tree.Shape().Depth && !n.listCheaper(level, node) {
			deeper = append(deeper, node)
			continue
		}
		if len(x.keyNodes) == n.cfg.MaxSegmentsPerExchange {
			x.bounded = true
			continue
		}
		x.keyNodes = append(x.keyNodes, wire.NodeRef{Level: uint32(level), Index: node})
	}
	// Every differing node holds at least one differing segment, so descending into more nodes than
	// segments the exchange may still examine would only ship hashes it cannot use.
	if limit := min(n.cfg.MaxNodesPerLevel, n.cfg.MaxSegmentsPerExchange-len(x.keyNodes)); len(deeper) > limit {
		deeper, x.bounded = deeper[:limit], true
	}
	if len(deeper) > 0 {
		x.phase, x.level, x.nodes = phaseNodes, level, deeper
		n.send(wire.Message{Kind: wire.KindNodesReq, To: x.peer, Xid: x.xid, Level: uint32(level), Indexes: deeper})
		return
	}
	if len(x.keyNodes) == 0 {
		n.finish(x, false)
		return
	}
	x.phase = phaseKeys
	n.send(wire.Message{Kind: wire.KindSubtreeKeysReq, To: x.peer, Xid: x.xid, Subtrees: x.keyNodes})
}

func (n *Node) onNodes(x *exchange, m wire.Message) error {
	fanout := n.tree.Shape().Fanout
	if int(m.Level) != x.level {
		n.stats.StaleReplies++ // a duplicated or delayed answer for a level already passed
		return nil
	}
	if !equalUint32(m.Indexes, x.nodes) || len(m.Hashes) != len(x.nodes)*fanout {
		n.finish(x, false)
		return fmt.Errorf("%w: nodes answer at level %d for %d nodes/%d hashes, asked level %d for %d nodes",
			ErrBadMessage, m.Level, len(m.Indexes), len(m.Hashes), x.level, len(x.nodes))
	}
	var next []uint32
	for i, node := range x.nodes {
		mine, _ := n.tree.Children(x.level, int(node))
		if m.Kind == wire.KindNodes32 {
			for j := range mine {
				mine[j] = tree.ShortHash(mine[j], x.xid)
			}
		}
		for _, c := range tree.Differing(mine, m.Hashes[i*fanout:(i+1)*fanout]) {
			next = append(next, node*uint32(fanout)+uint32(c))
		}
	}
	if len(next) == 0 && len(x.keyNodes) == 0 {
		n.finish(x, false) // the nodes changed since the roots; look again later
		return nil
	}
	n.descend(x, x.level+1, next)
	return nil
}

func equalUint32(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func intersect(a, b []int) []int {
	in := map[int]bool{}
	for _, v := range b {
		in[v] = true
	}
	var out []int
	for _, v := range a {
		if in[v] {
			out = append(out, v)
		}
	}
	return out
}

func toUint32(v []int) []uint32 {
	out := make([]uint32, len(v))
	for i, x := range v {
		out[i] = uint32(x)
	}
	return out
}
