package core

import "github.com/meridian-sync/meridian/replication/wire"

// syncBatch is one SyncBatch1 of an exchange awaiting its reply. Each batch gets an xid of its own (the
// responder is stateless and echoes it), so several batches of one exchange can be answered at once and
// their positional replies never mix: batchOf maps a batch's xid to its exchange.
type syncBatch struct {
	xid     uint64
	docs    []string // in request order: SyncReply is positional
	replied []bool   // which positions were answered
	left    int      // positions not answered yet
}

// nextXid gives out exchange and batch ids, counting up from a random start (short on the wire).
func (n *Node) nextXid() uint64 {
	n.lastXid++
	if n.lastXid == 0 { // 0 marks a send-back
		n.lastXid++
	}
	return n.lastXid
}

func (n *Node) newSyncBatch(x *exchange, docs []string) *syncBatch {
	b := &syncBatch{xid: n.nextXid(), docs: docs, replied: make([]bool, len(docs)), left: len(docs)}
	if x.batches == nil {
		x.batches = map[uint64]*syncBatch{}
	}
	x.batches[b.xid] = b
	n.batchOf[b.xid] = x.xid
	return b
}

// batchAnswered finds the exchange and batch a SyncReply (or a legacy SyncBatch2) answers; nil when the
// exchange timed out or was dropped (a later one looks again) or the reply is a duplicate of a finished
// batch.
func (n *Node) batchAnswered(m wire.Message) (*exchange, *syncBatch) {
	x := n.exchanges[n.batchOf[m.Xid]]
	if x == nil || x.peer != m.From || x.phase != phaseSync || x.batches[m.Xid] == nil {
		n.stats.StaleReplies++
		return nil, nil
	}
	return x, x.batches[m.Xid]
}

// afterBatchPart retires a fully answered batch and asks for the next ones; the exchange ends once its
// queue is empty and nothing is in flight.
func (n *Node) afterBatchPart(x *exchange, b *syncBatch) error {
	if b.left > 0 {
		return nil // more parts are coming (sendRepair splits large replies)
	}
	delete(x.batches, b.xid)
	delete(n.batchOf, b.xid)
	if len(x.queue) == 0 && len(x.batches) == 0 {
		n.finish(x, false)
		return nil
	}
	return n.releaseSyncBatch(x)
}

// dropExchange forgets an exchange and its batches in flight.
func (n *Node) dropExchange(x *exchange) {
	delete(n.exchanges, x.xid)
	for xid := range x.batches {
		delete(n.batchOf, xid)
	}
}
