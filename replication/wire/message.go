package wire

import "fmt"

// Kind names a message type. The numbers are part of the wire format and never change meaning.
type Kind uint8

const (
	// KindPush carries one update (or a document delete) written by the sender's own clients.
	KindPush Kind = 1
	// KindAck tells the pusher the next sequence number the receiver expects; Gap asks for a resend.
	KindAck Kind = 2
	// KindRootsReq opens (or confirms) an anti-entropy exchange by asking for the top's children.
	KindRootsReq Kind = 3
	// KindRoots answers with the shape, the top and the hashes of the top's children (none when the
	// tops match, so an idle exchange costs a few dozen bytes).
	KindRoots Kind = 4
	// KindNodesReq asks for the children's hashes of the nodes in Indexes at tree level Level.
	KindNodesReq Kind = 5
	// KindNodes answers with Fanout child hashes for each node in Indexes, in that order.
	KindNodes Kind = 6
	// KindKeysReq asks for the (document, digest) list of the segments in Indexes.
	KindKeysReq Kind = 7
	// KindKeys answers with the (document, digest) pairs of the asked segments.
	KindKeys Kind = 8
	// KindSyncStep1 carries the sender's state vector of Doc; Reply asks for a step 1 back.
	KindSyncStep1 Kind = 9
	// KindSyncStep2 carries the update the receiver of the step 1 was missing.
	KindSyncStep2 Kind = 10
	// KindTombstone says Doc is deleted; a tombstone is permanent.
	KindTombstone Kind = 11
	// KindHeartbeat carries nothing: it tells an idle peer we still reach it, so both ends can
	// report reachability (a cut link shows within seconds, whatever gossip believes).
	KindHeartbeat Kind = 12
	// KindKeyHashes answers a KeysReq compactly: per document its id (front-coded against the
	// previous one), its 4-byte salted tree entry hash and whether it is a tombstone.
	KindKeyHashes Kind = 13
	// KindSyncBatch1 carries the state vectors of many differing documents (Syncs: Doc and
	// StateVector): the receiver answers with one SyncBatch2.
	KindSyncBatch1 Kind = 14
	// KindSyncBatch2 carries, per document, the update the receiver lacks (possibly empty) and, when
	// the sender may lack something too, the sender's state vector so the receiver sends it back.
	KindSyncBatch2 Kind = 15
	// KindSubtreeKeysReq asks for the key list (answered with KeyHashes) of every segment below the
	// tree nodes in Subtrees: where a differing node holds few documents, listing them costs fewer
	// bytes than descending further.
	KindSubtreeKeysReq Kind = 16
	// KindNodes32 answers a NodesReq like Nodes, with 4-byte hashes: each child hash mixed with the
	// exchange id and truncated (tree.ShortHash), so a collision that hides a difference in one
	// exchange is independent of the next exchange's. Half the bytes of a descent.
	KindNodes32 Kind = 17
	// KindSyncReply answers a SyncBatch1 positionally: entry i is for the document at position
	// First+i of the request (no ids), with the update the receiver lacks and the sender's state
	// vector. A large answer comes in parts, each with its First.
	KindSyncReply Kind = 18
)

var kindNames = map[Kind]string{
	KindPush: "Push", KindAck: "Ack", KindRootsReq: "RootsReq", KindRoots: "Roots",
	KindNodesReq: "NodesReq", KindNodes: "Nodes", KindKeysReq: "KeysReq", KindKeys: "Keys",
	KindSyncStep1: "SyncStep1", KindSyncStep2: "SyncStep2", KindTombstone: "Tombstone",
	KindHeartbeat: "Heartbeat", KindKeyHashes: "KeyHashes", KindSyncBatch1: "SyncBatch1",
	KindSyncBatch2: "SyncBatch2", KindSubtreeKeysReq: "SubtreeKeysReq", KindNodes32: "Nodes32", KindSyncReply: "SyncReply",
}

func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// KeyDigest is one document of a segment's key list. Deleted marks a tombstone (Digest is then zero).
type KeyDigest struct {
	Doc     string
	Digest  [32]byte
	Deleted bool
}

// KeyHash is one document of a compact key list: Hash (32 bits on the wire) is the document's tree
// entry hash (tree.EntryHash of its digest, or of the tombstone digest when Deleted) shortened with
// tree.ShortHash salted with the exchange id.
type KeyHash struct {
	Doc     string
	Hash    uint64
	Deleted bool
}

// NodeRef names one tree node: its level (0 is the top) and its index within the level.
type NodeRef struct {
	Level, Index uint32
}

// DocSync is one document of a batched sync: SyncBatch1 uses Doc and StateVector; SyncBatch2 uses
// Update (what the receiver lacks; empty when nothing) and StateVector (empty when the sender wants
// nothing back).
type DocSync struct {
	Doc         string
	Update      []byte
	StateVector []byte
}

// Message is any replication message. Fields not used by Kind are zero.
type Message struct {
	Kind Kind
	From string // sender node id; set by the receiver's transport, not encoded
	To   string // destination node id; used to route, not encoded

	// Realtime push (Push, Ack).
	Seq     uint64 // Push: the origin's sequence number of this write
	Floor   uint64 // Push: every write of the origin from Floor on is in (or acked from) this queue
	Next    uint64 // Ack: the next sequence number the receiver expects
	Gap     bool   // Ack: the receiver saw a later seq than Next; resend from Next
	Deleted bool   // Push: the write deletes Doc (a tombstone) instead of carrying Data

	// Anti-entropy (RootsReq … Tombstone).
	Xid       uint64      // exchange id chosen by the initiator; replies echo it
	Top       uint64      // RootsReq: the initiator's tree top; Roots: the responder's
	Fanout    uint32      // Roots: the tree shape, which must match to compare
	Depth     uint32      // Roots
	Level     uint32      // NodesReq/Nodes: the tree level of the nodes in Indexes (0 is the top)
	Hashes    []uint64    // Roots: the top's children; Nodes: children of Indexes, node by node
	Indexes   []uint32    // NodesReq/Nodes: nodes at Level; KeysReq: segments
	Keys      []KeyDigest // Keys
	KeyHashes []KeyHash   // KeyHashes
	Syncs     []DocSync   // SyncBatch1, SyncBatch2
	Subtrees  []NodeRef   // SubtreeKeysReq
	First     uint64      // SyncReply: position in the request of the first entry (Syncs' Doc unused)
	Reply     bool        // SyncStep1: the receiver should answer with its own step 1 as well

	Doc  string // Push, SyncStep1, SyncStep2, Tombstone
	Data []byte // Push: v1 update; SyncStep1: encoded state vector; SyncStep2: v1 update
}

// Size is the approximate number of bytes the message occupies on the wire; queues use it for bounds.
func (m *Message) Size() int {
	n := 16 + len(m.Doc) + len(m.Data) + 8*len(m.Hashes) + 4*len(m.Indexes)
	for _, k := range m.Keys {
		n += len(k.Doc) + 34
	}
	for _, k := range m.KeyHashes {
		n += len(k.Doc) + 10
	}
	n += 4 * len(m.Subtrees)
	for _, s := range m.Syncs {
		n += len(s.Doc) + len(s.Update) + len(s.StateVector) + 4
	}
	return n
}
