package core

import (
	"fmt"
	"sort"

	"github.com/meridian-sync/meridian/replication/wire"
)

// overflow drops a peer's queue: writers never wait for a slow peer. Anti-entropy covers the dropped
// writes; the next push carries the new floor so the peer knows not to wait for them.
func (n *Node) overflow(id string, p *peer) {
	p.floor, p.bytes = n.seq+1, 0
	p.sent = p.floor - 1
	p.overflows++
	n.stats.QueueOverflows++
	n.persistPeer(id, p)
	n.owe(id)
}

// pump sends queued writes to a live peer up to the window of unacknowledged pushes.
func (n *Node) pump(id string) {
	p := n.peers[id]
	if p == nil || !p.live {
		return
	}
	if p.sent+1 < p.start() {
		p.sent = p.start() - 1
	}
	for p.sent < n.seq && p.sent+1-p.start() < uint64(n.cfg.PushWindow) {
		p.sent++
		m, ok := n.log[p.sent]
		if !ok {
			// Trimmed below every other peer's start but not this one's: impossible by trimLog's
			// invariant; skip rather than send a hole the receiver would wait on forever.
			continue
		}
		m.To, m.Floor = id, p.floor
		n.send(m)
		n.stats.PushesSent++
	}
}

// onAck handles a peer's "next expected" answer to our pushes.
func (n *Node) onAck(m wire.Message) {
	p := n.peers[m.From]
	if p == nil {
		return
	}
	if m.Next > n.seq+1 {
		// The peer saw numbers we no longer remember (our state was lost): continue above them, so
		// new writes are not mistaken for duplicates. Anti-entropy covers the rest.
		n.seq = m.Next - 1
		n.persist(keySeq, uvarints(n.seq))
		p.floor = m.Next
		p.sent = max(p.sent, m.Next-1)
	}
	if m.Next > p.acked {
		n.forLogRange(p.start(), m.Next, func(_ uint64, e wire.Message) { p.bytes -= e.Size() })
		p.acked = m.Next
		if p.bytes < 0 || p.start() > n.seq {
			p.bytes = 0
		}
		p.lastProgress = n.tick
		n.persistPeer(m.From, p)
		n.trimLog()
	}
	if m.Gap && p.lastRewind != n.tick {
		p.lastRewind = n.tick
		p.sent = p.start() - 1
		n.stats.GapRefills++
	}
	n.pump(m.From)
}

// trimLog deletes log entries every peer's queue has moved past.
func (n *Node) trimLog() {
	low := n.seq + 1
	for _, p := range n.peers {
		low = min(low, p.start())
	}
	if n.logLow >= low {
		return
	}
	n.forLogRange(n.logLow, low, func(seq uint64, _ wire.Message) {
		delete(n.log, seq)
		delete(n.logTick, seq)
		n.persist(logKey(seq), nil)
	})
	n.logLow = low
}

// forLogRange calls fn for the logged writes with lo <= seq < hi in order. It walks whichever is
// smaller, the range or the log, so a peer claiming an absurd sequence number costs nothing.
func (n *Node) forLogRange(lo, hi uint64, fn func(seq uint64, m wire.Message)) {
	if hi <= lo {
		return
	}
	if hi-lo <= uint64(len(n.log)) {
		for s := lo; s < hi; s++ {
			if e, ok := n.log[s]; ok {
				fn(s, e)
			}
		}
		return
	}
	var seqs []uint64
	for s := range n.log {
		if s >= lo && s < hi {
			seqs = append(seqs, s)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	for _, s := range seqs {
		fn(s, n.log[s])
	}
}

// retransmit rewinds peers whose acks stopped advancing: pushes or acks were lost.
func (n *Node) retransmit() {
	for _, id := range sortedKeys(n.peers) {
		p := n.peers[id]
		// A silent peer gets no retransmissions (its acks could not reach us anyway, and a window
		// resent every few ticks would be a storm): heard() rewinds it when contact returns.
		if !p.live || !n.reachable(p) || p.start() > n.seq || n.tick-p.lastProgress < uint64(n.cfg.RetransmitTicks) {
			continue
		}
		p.sent, p.lastProgress = p.start()-1, n.tick
		n.pump(id)
	}
}

// onPush handles a write pushed by its origin. Updates are applied in sequence order exactly as the
// origin numbered them; a missing number is asked for again (Ack with Gap) and later ones are dropped
// until it arrives, since Yjs would hold them as pending structs anyway.
func (n *Node) onPush(m wire.Message) error {
	if m.Seq == 0 || m.Floor == 0 || m.Floor > m.Seq {
		return fmt.Errorf("%w: push seq %d floor %d", ErrBadMessage, m.Seq, m.Floor)
	}
	o := m.From
	next := n.recv[o]
	if next < m.Floor {
		// Writes before Floor will never come by push (the origin's queue overflowed, or we are new
		// to it): skip them and let anti-entropy fetch whatever they carried.
		next = m.Floor
		n.recvDirty[o] = true
		n.owe(o)
	}
	switch {
	case m.Seq < next:
		n.stats.PushesDuplicate++
	case m.Seq > next:
		if n.gapAsked[o] != n.tick+1 {
			n.gapAsked[o] = n.tick + 1
			n.send(wire.Message{Kind: wire.KindAck, To: o, Next: next, Gap: true})
		}
		n.recv[o] = next
		return nil
	default:
		n.acceptPush(m)
		next++
		n.recvDirty[o] = true
	}
	n.recv[o] = next
	n.ackDue[o] = true
	return nil
}

func (n *Node) acceptPush(m wire.Message) {
	n.stats.PushesApplied++
	if m.Deleted {
		n.applyTombstone(m.Doc)
		return
	}
	if n.tombs[m.Doc] {
		return
	}
	n.out.Apply = append(n.out.Apply, DocUpdate{Doc: m.Doc, Update: m.Data, From: m.From})
}

// flushAcks sends one ack per origin heard from since the last Ready, after the applied updates and
// the recv counters they advanced (the driver persists before it sends).
func (n *Node) flushAcks() {
	for _, o := range sortedKeys(n.recvDirty) {
		n.persist(pfxRecv+o, uvarints(n.recv[o]))
	}
	for _, o := range sortedKeys(n.ackDue) {
		n.send(wire.Message{Kind: wire.KindAck, To: o, Next: n.recv[o]})
	}
	clear(n.recvDirty)
	clear(n.ackDue)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortStrings(s []string) { sort.Strings(s) }
