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
	first    []int    // children of the top differing in the first comparison
	level    int      // phaseNodes: the level of nodes
	nodes    []uint32 // phaseNodes: differing nodes at level whose children were asked for
	segments []uint32 // segments whose key lists were asked for
	bounded  bool     // a bound cut the work short
}

func (n *Node) startExchange(peer string) {
	n.lastXid++
	x := &exchange{xid: n.lastXid, peer: peer, started: n.tick}
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
	delete(n.exchanges, x.xid)
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
	switch {
	case m.Kind == wire.KindRoots && (x.phase == phaseRoots || x.phase == phaseRootsConfirm):
		return n.onRoots(x, m)
	case m.Kind == wire.KindNodes && x.phase == phaseNodes:
		return n.onNodes(x, m)
	case m.Kind == wire.KindKeys && x.phase == phaseKeys:
		return n.onKeys(x, m)
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

// descend continues the exchange with differing nodes at level: their children are asked for, or,
// at the segment level, their key lists.
func (n *Node) descend(x *exchange, level int, nodes []uint32) {
	if level == n.tree.Shape().Depth {
		if len(nodes) > n.cfg.MaxSegmentsPerExchange {
			nodes, x.bounded = nodes[:n.cfg.MaxSegmentsPerExchange], true
		}
		x.phase, x.segments = phaseKeys, nodes
		n.send(wire.Message{Kind: wire.KindKeysReq, To: x.peer, Xid: x.xid, Indexes: nodes})
		return
	}
	// Every differing node holds at least one differing segment, so descending into more nodes than
	// segments the exchange may examine would only ship hashes it cannot use.
	if limit := min(n.cfg.MaxNodesPerLevel, n.cfg.MaxSegmentsPerExchange); len(nodes) > limit {
		nodes, x.bounded = nodes[:limit], true
	}
	x.phase, x.level, x.nodes = phaseNodes, level, nodes
	n.send(wire.Message{Kind: wire.KindNodesReq, To: x.peer, Xid: x.xid, Level: uint32(level), Indexes: nodes})
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
		for _, c := range tree.Differing(mine, m.Hashes[i*fanout:(i+1)*fanout]) {
			next = append(next, node*uint32(fanout)+uint32(c))
		}
	}
	if len(next) == 0 {
		n.finish(x, false) // the nodes changed since the roots; look again later
		return nil
	}
	n.descend(x, x.level+1, next)
	return nil
}

// onKeys compares key lists and starts the repair of each differing document. Tombstones win: a
// tombstone on either side deletes the document on the other.
func (n *Node) onKeys(x *exchange, m wire.Message) error {
	asked := map[uint32]bool{}
	for _, s := range x.segments {
		asked[s] = true
	}
	theirs := map[string]wire.KeyDigest{}
	for _, k := range m.Keys {
		if !asked[tree.SegmentOf(n.tree.Shape(), k.Doc)] {
			n.finish(x, false)
			return fmt.Errorf("%w: key %q outside the asked segments", ErrBadMessage, k.Doc)
		}
		theirs[k.Doc] = k
	}
	mine := map[string]wire.KeyDigest{}
	for _, k := range n.keysIn(asked) {
		mine[k.Doc] = k
	}
	docs := unionKeys(mine, theirs)
	repairs := 0
	for _, doc := range docs {
		a, haveMine := mine[doc]
		b, haveTheirs := theirs[doc]
		if haveMine && haveTheirs && a == b {
			continue
		}
		n.stats.DocsDiffering++
		switch {
		case haveTheirs && b.Deleted:
			n.applyTombstone(doc)
		case haveMine && a.Deleted:
			n.send(wire.Message{Kind: wire.KindTombstone, To: x.peer, Xid: x.xid, Doc: doc})
		default:
			if repairs == n.cfg.MaxDocsPerExchange {
				x.bounded = true
				continue
			}
			repairs++
			if err := n.requestSync(x, doc); err != nil {
				n.finish(x, false)
				return err
			}
		}
	}
	n.finish(x, false)
	return nil
}

// requestSync sends our state vector with a request for the peer's: the peer answers with the structs
// we lack (step 2) and its own state vector, to which onSyncStep1 answers with what it lacks.
func (n *Node) requestSync(x *exchange, doc string) error {
	sv, err := n.store.StateVector(doc)
	if err != nil {
		return fmt.Errorf("meridian/replication/core: state vector of %q: %w", doc, err)
	}
	n.stats.RepairsRequested++
	n.send(wire.Message{Kind: wire.KindSyncStep1, To: x.peer, Xid: x.xid, Doc: doc, Data: sv, Reply: true})
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

func unionKeys(a, b map[string]wire.KeyDigest) []string {
	all := map[string]bool{}
	for k := range a {
		all[k] = true
	}
	for k := range b {
		all[k] = true
	}
	return sortedKeys(all)
}
