package core

import "github.com/meridian-sync/meridian/replication/wire"

// DocUpdate is a remote update the driver must apply to its store.
type DocUpdate struct {
	Doc    string
	Update []byte // v1 update
	From   string // the peer it came from, for logs and metrics
}

// Ready is the work the node hands to the driver. The driver must, in this order:
//  1. apply every Apply update to its store, durably;
//  2. write every Persist record in one durable batch (in order: a later record for a key wins);
//  3. delete every Delete document from its store;
//  4. send every Message to Message.To (dropping it if the peer is unreachable: the core retries);
//  5. call Advance(rd, applied) with the digest of every document step 1 changed.
//
// Acks in Messages promise the pushed updates are durable, hence apply and persist before sending.
type Ready struct {
	Apply    []DocUpdate
	Persist  []Record
	Delete   []string
	Messages []wire.Message
}

// Empty reports whether there is nothing to do.
func (rd *Ready) Empty() bool {
	return len(rd.Apply) == 0 && len(rd.Persist) == 0 && len(rd.Delete) == 0 && len(rd.Messages) == 0
}

// HasReady reports whether Ready would return work.
func (n *Node) HasReady() bool {
	return !n.out.Empty() || len(n.ackDue) > 0 || len(n.recvDirty) > 0 || len(n.pendingBack) > 0
}

// Ready hands over the accumulated work and starts a new batch.
func (n *Node) Ready() Ready {
	n.flushAcks()
	n.inFlightBack = append(n.inFlightBack, n.pendingBack...)
	n.pendingBack = nil
	rd := n.out
	n.out = Ready{}
	return rd
}

// Applied is the outcome of applying a Ready's updates to one document: its digest afterwards, as the
// store computed it with the write (Held false: the store does not hold the document, for example it
// was deleted meanwhile).
type Applied struct {
	Doc    string
	Digest [32]byte
	Held   bool
}

// Advance tells the node the driver finished rd: applied gives the new digest of every document rd's
// updates were applied to, so the hash tree follows them without reading the store back. Then the
// documents a peer may lack something of get it (sendBack).
func (n *Node) Advance(rd Ready, applied []Applied) error {
	for _, a := range applied {
		if a.Held && !n.tombs[a.Doc] {
			n.setDigest(a.Doc, a.Digest)
		}
	}
	checks := n.inFlightBack
	n.inFlightBack = nil
	return n.sendBack(checks)
}
