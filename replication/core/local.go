package core

import (
	"fmt"

	"github.com/meridian-sync/meridian/replication/wire"
)

// DurableWrite is a write by one of this node's own clients that the document store already holds
// durably, together with its push-log entry: the store numbered it (Seq, the next number of this
// origin's realtime log) and wrote, in the same synced batch as the update itself, the record
// PushRecord(w) describes (possibly as a reference to the document log rather than a copy) and the
// "seq" record. The core therefore persists nothing for it; it only queues it for every peer.
//
// Seq numbers come from one counter in the store, bumped past any "seq" record the core persists
// (onAck raises it when a peer remembers numbers this node lost), and are handed over in order.
type DurableWrite struct {
	Doc     string
	Update  []byte   // v1 update; nil for a delete
	Digest  [32]byte // the document's digest after the write; zero: unchanged (a later write carries it)
	Seq     uint64
	Deleted bool // the write deletes the document everywhere (a tombstone)
}

// PushRecord is the record the store must hold, from the write's batch on, for w: the restored core
// reads it back as a queued push. The store may keep it as a reference to the document log and
// rebuild it with this function when it loads the records.
func PushRecord(w DurableWrite) Record {
	m := wire.Message{Kind: wire.KindPush, Seq: w.Seq, Floor: 1, Doc: w.Doc, Data: w.Update, Deleted: w.Deleted}
	return Record{Key: logKey(w.Seq), Value: wire.Encode(m)}
}

// SeqRecord is the record of the last sequence number given out, which the store writes with every
// numbered write; LastSeq reads one back (the store keeps its counter at least there).
func SeqRecord(seq uint64) Record { return Record{Key: keySeq, Value: uvarints(seq)} }

// LastSeq decodes a "seq" record's value; ok is false for any other record.
func LastSeq(r Record) (seq uint64, ok bool) {
	if r.Key != keySeq {
		return 0, false
	}
	v, ok := readUvarints(r.Value, 1)
	if !ok {
		return 0, false
	}
	return v[0], true
}

// LocalUpdate takes a durable client write (see DurableWrite) into every peer's realtime queue; only
// local writes are pushed (peers never forward), so each write crosses each link once. The digest
// moves the document in the hash tree: the core never reads back what it was just given.
func (n *Node) LocalUpdate(w DurableWrite) error {
	if w.Deleted {
		return n.localDelete(w)
	}
	if !n.ready {
		return ErrNotReady
	}
	if n.tombs[w.Doc] {
		return ErrDeleted
	}
	if w.Digest != ([32]byte{}) { // an ingest's earlier updates leave the digest to its last one
		n.setDigest(w.Doc, w.Digest)
	}
	return n.appendLocal(w, wire.Message{Kind: wire.KindPush, Doc: w.Doc, Data: w.Update})
}

// localDelete deletes a document everywhere: a tombstone here, pushed to every peer and spread by
// anti-entropy. Tombstones are permanent, so no replica can bring the document back.
func (n *Node) localDelete(w DurableWrite) error {
	n.applyTombstone(w.Doc)
	return n.appendLocal(w, wire.Message{Kind: wire.KindPush, Doc: w.Doc, Deleted: true})
}

// appendLocal queues a numbered write. A number at or below the last one is a write the store
// numbered before a peer's ack raised the counter (this node had lost its records): the peers
// already count such numbers as seen, so the write is left to anti-entropy, which every peer is owed.
// A number beyond the next one means numbers were lost between store and core: the peers' queues
// restart above it, again with anti-entropy to cover the hole, rather than wait on it forever.
func (n *Node) appendLocal(w DurableWrite, m wire.Message) error {
	switch {
	case w.Seq == 0:
		return fmt.Errorf("%w: a durable write without a sequence number", ErrBadWrite)
	case w.Seq <= n.seq:
		n.stats.WritesRenumbered++
		n.oweEveryone()
		return nil
	case w.Seq > n.seq+1 && n.seq > 0:
		n.stats.WritesRenumbered++
		n.seq = w.Seq - 1
		for _, id := range sortedKeys(n.peers) {
			n.overflow(id, n.peers[id])
		}
	}
	m.Seq = w.Seq
	n.seq = w.Seq
	n.log[m.Seq] = m
	n.logTick[m.Seq] = n.tick
	if len(n.log) == 1 {
		n.logLow = m.Seq
	}
	size := m.Size()
	for _, id := range sortedKeys(n.peers) {
		p := n.peers[id]
		if p.floor > m.Seq {
			continue
		}
		p.bytes += size
		if p.bytes > n.cfg.QueueMaxBytes {
			n.overflow(id, p)
			continue
		}
		n.pump(id)
	}
	n.trimLog()
	return nil
}

func (n *Node) oweEveryone() {
	for _, id := range sortedKeys(n.peers) {
		n.owe(id)
	}
}
