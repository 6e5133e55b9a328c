package core

import (
	"fmt"
	"sort"

	"github.com/meridian-sync/meridian/replication/tree"
	"github.com/meridian-sync/meridian/replication/wire"
)

// Repair of the documents an exchange found differing, batched and throttled.
//
// Bytes: the responder's key list carries 4-byte salted entry hashes and front-coded ids
// (KeyHashes); the initiator asks for many documents in one SyncBatch1 (its state vectors); the
// responder answers with a SyncReply holding, per document by position (no ids), what the
// initiator lacks (nothing at all when it lacks nothing) and its own state vector.
// The initiator applies that, and sends back what the responder lacks only where its digest still
// differs from the responder's (a document one side simply missed costs one direction, not two).
// The send-back is a SyncBatch2 with xid 0 (no exchange uses 0) and no state vectors.
//
// Time: two budgets, refilled every tick and never saved up beyond one tick's worth, keep a large
// repair from starving clients. RepairDocsPerTick bounds the documents this node asks to repair;
// RepairBytesPerTick bounds the repair bytes it sends (SyncBatch1/2, as initiator and responder),
// queued in repairOut until the budget allows. Each exchange has at most one batch in flight, so
// replies pace the requests.

// theirKey is what the peer's key list said of a document (hash: its salted short entry hash).
type theirKey struct {
	hash    uint64
	present bool
}

// backCheck is a document whose peer may lack something: after the peer's update is applied here,
// the digests are compared and what the peer lacks is sent (computed against its state vector).
type backCheck struct {
	peer, doc string
	salt      uint64 // the exchange id the peer's key hash was salted with
	sv        []byte
	theirs    theirKey
}

// subtrees is a set of tree nodes, possibly at different levels: the part of the tree a key list
// covers.
type subtrees map[uint32]map[uint32]bool // level → node indexes

func newSubtrees(refs []wire.NodeRef) subtrees {
	s := subtrees{}
	for _, r := range refs {
		if s[r.Level] == nil {
			s[r.Level] = map[uint32]bool{}
		}
		s[r.Level][r.Index] = true
	}
	return s
}

// covers reports whether segment seg of shape sh lies below one of the nodes.
func (s subtrees) covers(sh tree.Shape, seg uint32) bool {
	for level, nodes := range s {
		node := seg
		for l := sh.Depth; l > int(level); l-- {
			node /= uint32(sh.Fanout)
		}
		if nodes[node] {
			return true
		}
	}
	return false
}

// keyHashesIn lists this node's documents below the given nodes as compact keys, sorted by id (so
// front coding shares their prefixes).
func (n *Node) keyHashesIn(below subtrees, salt uint64) []wire.KeyHash {
	var keys []wire.KeyHash
	for doc, d := range n.digests {
		if below.covers(n.tree.Shape(), tree.SegmentOf(n.tree.Shape(), doc)) {
			keys = append(keys, wire.KeyHash{Doc: doc, Hash: tree.ShortHash(tree.EntryHash(doc, d), salt), Deleted: n.tombs[doc]})
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Doc < keys[j].Doc })
	return keys
}

// onKeyHashes compares key lists and queues the differing documents for a batched sync. Tombstones
// win: a tombstone on either side deletes the document on the other.
func (n *Node) onKeyHashes(x *exchange, m wire.Message) error {
	asked := newSubtrees(x.keyNodes)
	theirs := map[string]wire.KeyHash{}
	for _, k := range m.KeyHashes {
		if !asked.covers(n.tree.Shape(), tree.SegmentOf(n.tree.Shape(), k.Doc)) {
			n.finish(x, false)
			return fmt.Errorf("%w: key %q outside the asked segments", ErrBadMessage, k.Doc)
		}
		theirs[k.Doc] = k
	}
	mine := map[string]wire.KeyHash{}
	for _, k := range n.keyHashesIn(asked, x.xid) {
		mine[k.Doc] = k
	}
	all := map[string]bool{}
	for d := range mine {
		all[d] = true
	}
	for d := range theirs {
		all[d] = true
	}
	x.want = map[string]theirKey{}
	for _, doc := range sortedKeys(all) {
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
		case len(x.queue) == n.cfg.MaxDocsPerExchange:
			x.bounded = true
		default:
			x.queue = append(x.queue, doc)
			x.want[doc] = theirKey{hash: b.Hash, present: haveTheirs}
		}
	}
	if len(x.queue) == 0 {
		n.finish(x, false)
		return nil
	}
	x.phase = phaseSync
	return n.releaseSyncBatch(x)
}

// onSubtreeKeysReq answers with the compact key list of every document below the asked nodes.
func (n *Node) onSubtreeKeysReq(m wire.Message) error {
	sh := n.tree.Shape()
	for _, r := range m.Subtrees {
		if int(r.Level) > sh.Depth || int(r.Index) >= sh.Width(int(r.Level)) {
			return fmt.Errorf("%w: node %d at level %d out of range", ErrBadMessage, r.Index, r.Level)
		}
	}
	n.send(wire.Message{Kind: wire.KindKeyHashes, To: m.From, Xid: m.Xid, KeyHashes: n.keyHashesIn(newSubtrees(m.Subtrees), m.Xid)})
	return nil
}

// keyEntryBytes is about what one document costs in a key list (front-coded id, 4-byte hash, flag).
const keyEntryBytes = 10

// listCheaper reports whether listing the keys below a differing node costs fewer bytes than
// descending into it (fanout child hashes, then more below). It judges by this node's own count;
// a node holding nothing there still descends above the last level, so an empty node copying a
// large peer does not ask for the peer's whole key list at once.
func (n *Node) listCheaper(level int, node uint32) bool {
	sh := n.tree.Shape()
	c := n.tree.Count(level, int(node))
	if c == 0 {
		return level >= sh.Depth-1
	}
	return c*keyEntryBytes <= sh.Fanout*descendBytesPerChild
}

// descendBytesPerChild is what descending costs per child of a node: its 4-byte hash in Nodes32,
// plus a share of the node's index in the request and the answer and of the next level's requests.
// Measured (BenchmarkHeal): 8 beats 4, which descends too far and lists too little.
const descendBytesPerChild = 8

// maxSyncBatchDocs bounds one SyncBatch1: the peer reads every document of a batch in one step, so a
// batch of thousands would hold its driver for hundreds of milliseconds (heartbeats and pushes behind it).
const maxSyncBatchDocs = 512

// maxSyncBatchesInFlight is how many batches of one exchange may await their replies at once (batches.go):
// while the peer reads one, the reply to the one before travels and is taken in, so a bootstrap runs at
// the pace of the slower end rather than of the round trip.
const maxSyncBatchesInFlight = 4

// releaseSyncBatch asks the peer for the next batches of the exchange's queued documents, as many
// documents as the documents budget allows, up to maxSyncBatchesInFlight unanswered batches.
func (n *Node) releaseSyncBatch(x *exchange) error {
	for len(x.batches) < maxSyncBatchesInFlight && len(x.queue) > 0 && n.docTokens > 0 {
		k := min(n.docTokens, len(x.queue), maxSyncBatchDocs)
		b := n.newSyncBatch(x, x.queue[:k:k])
		batch := wire.Message{Kind: wire.KindSyncBatch1, To: x.peer, Xid: b.xid}
		for _, doc := range b.docs {
			sv := emptyStateVector // a document this node does not hold (all of them, in a bootstrap): no read
			if _, held := n.digests[doc]; held {
				var err error
				if sv, err = n.store.StateVector(doc); err != nil {
					n.finish(x, false)
					return fmt.Errorf("meridian/replication/core: state vector of %q: %w", doc, err)
				}
			}
			batch.Syncs = append(batch.Syncs, wire.DocSync{Doc: doc, StateVector: sv})
		}
		n.docTokens -= k
		x.queue, x.lastActivity = x.queue[k:], n.tick
		n.stats.RepairsRequested += uint64(k)
		n.sendRepair(batch)
	}
	return nil
}

// onSyncBatch1 answers a peer's batch of state vectors with one SyncReply (in parts if large): per
// document, in the request's order, what the peer lacks and our state vector (so it can send back
// what we lack), or a tombstone.
func (n *Node) onSyncBatch1(m wire.Message) error {
	reply := wire.Message{Kind: wire.KindSyncReply, To: m.From, Xid: m.Xid}
	var held []int // positions of documents this node holds: those need reads
	for i, s := range m.Syncs {
		if n.tombs[s.Doc] {
			// The tombstone travels on its own; the empty entry keeps the batch's count for the
			// initiator, which moves on once every document it asked for was answered.
			n.send(wire.Message{Kind: wire.KindTombstone, To: m.From, Xid: m.Xid, Doc: s.Doc})
			reply.Syncs = append(reply.Syncs, wire.DocSync{Doc: s.Doc})
			continue
		}
		reply.Syncs = append(reply.Syncs, wire.DocSync{Doc: s.Doc, StateVector: emptyStateVector})
		if _, ok := n.digests[s.Doc]; ok {
			held = append(held, i)
		}
	}
	diffs, svs, err := n.readBatch(m.Syncs, held)
	if err != nil {
		return fmt.Errorf("meridian/replication/core: reads for %s: %w", m.From, err)
	}
	for k, i := range held {
		if !isEmptyUpdate(diffs[k]) { // nothing to apply travels as no bytes at all
			reply.Syncs[i].Update = diffs[k]
			n.stats.RepairBytesSent += uint64(len(diffs[k]))
		}
		reply.Syncs[i].StateVector = svs[k]
	}
	n.sendRepair(reply)
	return nil
}

// readBatch reads, for the documents at positions held of syncs, what the peer lacks (against the state
// vector it sent) and our state vector: in one pass when the store is a BatchReader, else one by one.
func (n *Node) readBatch(syncs []wire.DocSync, held []int) (diffs, svs [][]byte, err error) {
	if len(held) == 0 {
		return nil, nil, nil
	}
	docs, theirs := make([]string, len(held)), make([][]byte, len(held))
	for k, i := range held {
		docs[k], theirs[k] = syncs[i].Doc, syncs[i].StateVector
	}
	if br, ok := n.store.(BatchReader); ok {
		return br.ReadBatch(docs, theirs)
	}
	diffs, svs = make([][]byte, len(docs)), make([][]byte, len(docs))
	for k, doc := range docs {
		if diffs[k], err = n.store.Diff(doc, theirs[k]); err != nil {
			return nil, nil, fmt.Errorf("diff of %q: %w", doc, err)
		}
		if svs[k], err = n.store.StateVector(doc); err != nil {
			return nil, nil, fmt.Errorf("state vector of %q: %w", doc, err)
		}
	}
	return diffs, svs, nil
}

// onSyncBatch2 applies a batch of updates. As the reply to our own SyncBatch1 (its xid) it also
// carries the peer's state vectors: each becomes a backCheck, and the exchange's next batch goes out.
func (n *Node) onSyncBatch2(m wire.Message) error {
	for _, s := range m.Syncs {
		if len(s.Update) == 0 || n.tombs[s.Doc] {
			continue
		}
		n.stats.RepairsApplied++
		n.stats.RepairBytesReceived += uint64(len(s.Update))
		n.out.Apply = append(n.out.Apply, DocUpdate{Doc: s.Doc, Update: s.Update, From: m.From})
	}
	if m.Xid == 0 {
		return nil // a send-back: nothing more to do
	}
	x, b := n.batchAnswered(m)
	if b == nil {
		return nil
	}
	for _, s := range m.Syncs {
		if len(s.StateVector) > 0 && !n.tombs[s.Doc] {
			n.pendingBack = append(n.pendingBack, backCheck{peer: m.From, doc: s.Doc, salt: x.xid, sv: s.StateVector, theirs: x.want[s.Doc]})
		}
	}
	b.left = max(b.left-len(m.Syncs), 0)
	x.lastActivity = n.tick
	return n.afterBatchPart(x, b)
}

// onSyncReply takes (a part of) the answer to the exchange's batch in flight: applies the updates,
// queues a backCheck per document the peer may lack something of, and once every position was
// answered releases the next batch. Duplicated parts are counted once.
func (n *Node) onSyncReply(m wire.Message) error {
	x, b := n.batchAnswered(m)
	if b == nil {
		return nil
	}
	if m.First > uint64(len(b.docs)) || uint64(len(m.Syncs)) > uint64(len(b.docs))-m.First {
		n.finish(x, false)
		return fmt.Errorf("%w: sync reply for positions %d..%d of a batch of %d", ErrBadMessage,
			m.First, m.First+uint64(len(m.Syncs)), len(b.docs))
	}
	for i, s := range m.Syncs {
		pos := int(m.First) + i
		if b.replied[pos] {
			continue
		}
		b.replied[pos] = true
		b.left--
		doc := b.docs[pos]
		if n.tombs[doc] {
			continue
		}
		if len(s.Update) > 0 {
			n.stats.RepairsApplied++
			n.stats.RepairBytesReceived += uint64(len(s.Update))
			n.out.Apply = append(n.out.Apply, DocUpdate{Doc: doc, Update: s.Update, From: m.From})
		}
		if len(s.StateVector) > 0 {
			n.pendingBack = append(n.pendingBack, backCheck{peer: m.From, doc: doc, salt: x.xid, sv: s.StateVector, theirs: x.want[doc]})
		}
	}
	x.lastActivity = n.tick
	return n.afterBatchPart(x, b)
}

// sendBack runs after the driver applied a Ready's updates (the digests are fresh): for each check,
// a document whose digest still differs from the peer's gets what the peer lacks.
func (n *Node) sendBack(checks []backCheck) error {
	batches := map[string]*wire.Message{}
	for _, c := range checks {
		d, held := n.digests[c.doc]
		if !held || n.tombs[c.doc] {
			continue
		}
		if c.theirs.present && tree.ShortHash(tree.EntryHash(c.doc, d), c.salt) == c.theirs.hash {
			continue // after applying its update we hold exactly what the peer holds
		}
		diff, err := n.store.Diff(c.doc, c.sv)
		if err != nil {
			return fmt.Errorf("meridian/replication/core: diff of %q for %s: %w", c.doc, c.peer, err)
		}
		if isEmptyUpdate(diff) {
			continue // the peer moved on meanwhile and lacks nothing after all
		}
		b := batches[c.peer]
		if b == nil {
			b = &wire.Message{Kind: wire.KindSyncBatch2, To: c.peer}
			batches[c.peer] = b
		}
		b.Syncs = append(b.Syncs, wire.DocSync{Doc: c.doc, Update: diff})
		n.stats.RepairBytesSent += uint64(len(diff))
	}
	for _, peer := range sortedKeys(batches) {
		n.sendRepair(*batches[peer])
	}
	return nil
}

// sendRepair sends a repair batch now if the bytes budget allows, else queues it for later ticks. A
// batch larger than one tick's budget is split into parts of about a tick's budget (a single
// document larger than that travels alone), so the budget holds to within one document.
func (n *Node) sendRepair(m wire.Message) {
	part := m
	part.Syncs = nil
	size := 0
	for i, s := range m.Syncs {
		entry := len(s.Doc) + len(s.Update) + len(s.StateVector) + 6
		if len(part.Syncs) > 0 && size+entry > n.cfg.RepairBytesPerTick {
			n.repairOut = append(n.repairOut, part)
			part.Syncs, part.First, size = nil, m.First+uint64(i), 0
		}
		part.Syncs = append(part.Syncs, s)
		size += entry
	}
	n.repairOut = append(n.repairOut, part)
	n.flushRepairs()
}

// flushRepairs sends queued repair messages while the bytes budget is positive. A message may take
// the budget below zero (messages are not split); the debt is paid from the next ticks' refills, so
// over any run of ticks the bytes sent stay within the budget plus one message.
func (n *Node) flushRepairs() {
	for len(n.repairOut) > 0 && n.byteTokens > 0 {
		m := n.repairOut[0]
		n.repairOut = n.repairOut[1:]
		size := len(wire.Encode(m))
		n.byteTokens -= size
		n.stats.RepairMessageBytes += uint64(size)
		n.lastRepairSent, n.repairSent = n.tick, true
		n.send(m)
	}
}

// refillRepairBudgets gives the tick's budgets: documents do not accumulate beyond one tick (an idle
// minute must not allow a burst), bytes carry any debt from an oversized message.
func (n *Node) refillRepairBudgets() {
	n.docTokens = n.cfg.RepairDocsPerTick
	n.byteTokens = min(n.byteTokens+n.cfg.RepairBytesPerTick, n.cfg.RepairBytesPerTick)
	n.flushRepairs()
	for _, xid := range sortedUint64Keys(n.exchanges) {
		if x := n.exchanges[xid]; x.phase == phaseSync {
			if err := n.releaseSyncBatch(x); err != nil {
				n.stats.StoreErrors++
			}
		}
	}
}

// emptyStateVector is the encoding of the state vector of a document with nothing in it.
var emptyStateVector = []byte{0}

// isEmptyUpdate reports whether a v1 update holds no structs and no deletions (0 clients of structs,
// 0 clients in the delete set): the canonical empty update.
func isEmptyUpdate(u []byte) bool { return len(u) == 2 && u[0] == 0 && u[1] == 0 }
