package core

import (
	"fmt"

	"github.com/meridian-sync/meridian/replication/tree"

	"github.com/meridian-sync/meridian/replication/wire"
)

// The responder side of anti-entropy is stateless: every request is answered from the current tree
// and store, so a peer may ask in any order, again, or never finish.

func (n *Node) onRootsReq(m wire.Message) {
	n.noteExchangeFrom(m.From, m.Xid)
	s := n.tree.Shape()
	reply := wire.Message{Kind: wire.KindRoots, To: m.From, Xid: m.Xid, Top: n.tree.Top(),
		Fanout: uint32(s.Fanout), Depth: uint32(s.Depth)}
	if m.Top != reply.Top {
		reply.Hashes, _ = n.tree.Children(0, 0)
	}
	n.send(reply)
}

func (n *Node) onNodesReq(m wire.Message) error {
	reply := wire.Message{Kind: wire.KindNodes32, To: m.From, Xid: m.Xid, Level: m.Level, Indexes: m.Indexes}
	for _, i := range m.Indexes {
		children, ok := n.tree.Children(int(m.Level), int(i))
		if !ok {
			return fmt.Errorf("%w: node %d at level %d out of range", ErrBadMessage, i, m.Level)
		}
		for _, h := range children {
			reply.Hashes = append(reply.Hashes, tree.ShortHash(h, m.Xid))
		}
	}
	n.send(reply)
	return nil
}

func (n *Node) onKeysReq(m wire.Message) error {
	var refs []wire.NodeRef
	for _, s := range m.Indexes {
		if int(s) >= n.tree.Shape().Segments() {
			return fmt.Errorf("%w: segment %d out of range", ErrBadMessage, s)
		}
		refs = append(refs, wire.NodeRef{Level: uint32(n.tree.Shape().Depth), Index: s})
	}
	want := newSubtrees(refs)
	n.send(wire.Message{Kind: wire.KindKeyHashes, To: m.From, Xid: m.Xid, KeyHashes: n.keyHashesIn(want, m.Xid)})
	return nil
}

// onSyncStep1 answers a peer's state vector with what it lacks (step 2) and, when asked, with our own
// state vector so the peer sends back what we lack: a two-way sync moving only missing structs.
func (n *Node) onSyncStep1(m wire.Message) error {
	if n.tombs[m.Doc] {
		n.send(wire.Message{Kind: wire.KindTombstone, To: m.From, Xid: m.Xid, Doc: m.Doc})
		return nil
	}
	if _, held := n.digests[m.Doc]; held {
		diff, err := n.store.Diff(m.Doc, m.Data)
		if err != nil {
			return fmt.Errorf("meridian/replication/core: diff of %q for %s: %w", m.Doc, m.From, err)
		}
		n.send(wire.Message{Kind: wire.KindSyncStep2, To: m.From, Xid: m.Xid, Doc: m.Doc, Data: diff})
		n.stats.RepairBytesSent += uint64(len(diff))
	}
	if m.Reply {
		sv, err := n.store.StateVector(m.Doc)
		if err != nil {
			return fmt.Errorf("meridian/replication/core: state vector of %q: %w", m.Doc, err)
		}
		n.send(wire.Message{Kind: wire.KindSyncStep1, To: m.From, Xid: m.Xid, Doc: m.Doc, Data: sv})
	}
	return nil
}

func (n *Node) onSyncStep2(m wire.Message) {
	if n.tombs[m.Doc] {
		return
	}
	n.stats.RepairsApplied++
	n.stats.RepairBytesReceived += uint64(len(m.Data))
	n.out.Apply = append(n.out.Apply, DocUpdate{Doc: m.Doc, Update: m.Data, From: m.From})
}
