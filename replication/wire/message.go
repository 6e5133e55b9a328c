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
)

var kindNames = map[Kind]string{
	KindPush: "Push", KindAck: "Ack", KindRootsReq: "RootsReq", KindRoots: "Roots",
	KindNodesReq: "NodesReq", KindNodes: "Nodes", KindKeysReq: "KeysReq", KindKeys: "Keys",
	KindSyncStep1: "SyncStep1", KindSyncStep2: "SyncStep2", KindTombstone: "Tombstone",
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
	Xid     uint64      // exchange id chosen by the initiator; replies echo it
	Top     uint64      // RootsReq: the initiator's tree top; Roots: the responder's
	Fanout  uint32      // Roots: the tree shape, which must match to compare
	Depth   uint32      // Roots
	Level   uint32      // NodesReq/Nodes: the tree level of the nodes in Indexes (0 is the top)
	Hashes  []uint64    // Roots: the top's children; Nodes: children of Indexes, node by node
	Indexes []uint32    // NodesReq/Nodes: nodes at Level; KeysReq: segments
	Keys    []KeyDigest // Keys
	Reply   bool        // SyncStep1: the receiver should answer with its own step 1 as well

	Doc  string // Push, SyncStep1, SyncStep2, Tombstone
	Data []byte // Push: v1 update; SyncStep1: encoded state vector; SyncStep2: v1 update
}

// Size is the approximate number of bytes the message occupies on the wire; queues use it for bounds.
func (m *Message) Size() int {
	n := 16 + len(m.Doc) + len(m.Data) + 8*len(m.Hashes) + 4*len(m.Indexes)
	for _, k := range m.Keys {
		n += len(k.Doc) + 34
	}
	return n
}
