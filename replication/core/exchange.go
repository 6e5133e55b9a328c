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
	phaseLeaves                    // waiting for leaf hashes of confirmed branches
	phaseKeys                      // waiting for key lists of differing segments
)

// exchange is one anti-entropy comparison this node initiated (after Riak's Tictac AAE): roots, a
// pause, roots again (only branches differing both times go on: writes in flight settle meanwhile),
// leaves of those branches, key lists of differing segments, then a two-way sync per differing
// document. Every step is bounded, and an exchange that hit a bound is followed by another.
type exchange struct {
	xid      uint64
	peer     string
	phase    phase
	started  uint64
	resumeAt uint64
	first    []int    // branches differing in the first comparison
	branches []int    // branches differing in both
	segments []uint32 // segments whose key lists were asked for
	bounded  bool     // a bound cut the work short
}

func (n *Node) startExchange(peer string) {
	x := &exchange{xid: n.rng.Uint64() | 1, peer: peer, started: n.tick}
	n.exchanges[x.xid] = x
	delete(n.wantExchange, peer)
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
	case m.Kind == wire.KindLeaves && x.phase == phaseLeaves:
		return n.onLeaves(x, m)
	case m.Kind == wire.KindKeys && x.phase == phaseKeys:
		return n.onKeys(x, m)
	}
	n.stats.StaleReplies++
	return nil
}

func (n *Node) onRoots(x *exchange, m wire.Message) error {
	s := n.tree.Shape()
	if len(m.Hashes) == 0 && int(m.Branches) == s.Branches && int(m.LeavesPerBranch) == s.LeavesPerBranch {
		// The peer's top matched the top we sent; if ours has not moved since, we are in sync.
		n.finish(x, m.Top == n.tree.Top())
		if m.Top != n.tree.Top() {
			n.wantExchange[x.peer] = true
		}
		return nil
	}
	if int(m.Branches) != s.Branches || int(m.LeavesPerBranch) != s.LeavesPerBranch || len(m.Hashes) != s.Branches {
		n.finish(x, false)
		return fmt.Errorf("%w: peer %s tree shape %d×%d (%d hashes), ours %d×%d", ErrBadMessage, m.From,
			m.Branches, m.LeavesPerBranch, len(m.Hashes), s.Branches, s.LeavesPerBranch)
	}
	differing := tree.Differing(n.tree.Branches(), m.Hashes)
	if x.phase == phaseRoots {
		if len(differing) == 0 {
			n.finish(x, true)
			return nil
		}
		x.first, x.phase, x.resumeAt = differing, phasePause, n.tick+uint64(n.cfg.ConfirmPauseTicks)
		return nil
	}
	x.branches = intersect(x.first, differing)
	if len(x.branches) == 0 {
		n.finish(x, true) // the differences were writes in flight
		return nil
	}
	if len(x.branches) > n.cfg.MaxBranchesPerExchange {
		x.branches, x.bounded = x.branches[:n.cfg.MaxBranchesPerExchange], true
	}
	x.phase = phaseLeaves
	n.send(wire.Message{Kind: wire.KindLeavesReq, To: x.peer, Xid: x.xid, Indexes: toUint32(x.branches)})
	return nil
}

func (n *Node) onLeaves(x *exchange, m wire.Message) error {
	per := n.tree.Shape().LeavesPerBranch
	if len(m.Indexes) != len(x.branches) || len(m.Hashes) != len(x.branches)*per {
		n.finish(x, false)
		return fmt.Errorf("%w: leaves answer of %d branches/%d hashes for %d branches", ErrBadMessage,
			len(m.Indexes), len(m.Hashes), len(x.branches))
	}
	var segments []uint32
	for i, b := range x.branches {
		mine, _ := n.tree.Leaves(b)
		for _, leaf := range tree.Differing(mine, m.Hashes[i*per:(i+1)*per]) {
			segments = append(segments, uint32(b*per+leaf))
		}
	}
	if len(segments) == 0 {
		n.finish(x, false) // the branch changed between roots and leaves; look again later
		return nil
	}
	if len(segments) > n.cfg.MaxSegmentsPerExchange {
		segments, x.bounded = segments[:n.cfg.MaxSegmentsPerExchange], true
	}
	x.phase, x.segments = phaseKeys, segments
	n.send(wire.Message{Kind: wire.KindKeysReq, To: x.peer, Xid: x.xid, Indexes: segments})
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
