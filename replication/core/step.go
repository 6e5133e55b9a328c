package core

import (
	"fmt"

	"github.com/meridian-sync/meridian/replication/wire"
)

// Step feeds one message received from peer m.From. Errors report a message that breaks the protocol
// or a store read that failed; the node's state stays consistent either way and the driver should
// log the error (and may drop the peer's connection for a protocol error).
func (n *Node) Step(m wire.Message) error {
	if m.From == "" || m.From == n.cfg.ID {
		return fmt.Errorf("%w (kind %v)", ErrUnknownSender, m.Kind)
	}
	n.stats.MessagesReceived++
	n.heard(m.From)
	switch m.Kind {
	case wire.KindHeartbeat:
		return nil
	case wire.KindPush:
		return n.onPush(m)
	case wire.KindAck:
		n.onAck(m)
		return nil
	case wire.KindRootsReq:
		n.onRootsReq(m)
		return nil
	case wire.KindNodesReq:
		return n.onNodesReq(m)
	case wire.KindKeysReq:
		return n.onKeysReq(m)
	case wire.KindSyncStep1:
		return n.onSyncStep1(m)
	case wire.KindSyncStep2:
		n.onSyncStep2(m)
		return nil
	case wire.KindTombstone:
		n.applyTombstone(m.Doc)
		return nil
	case wire.KindSubtreeKeysReq:
		return n.onSubtreeKeysReq(m)
	case wire.KindSyncBatch1:
		return n.onSyncBatch1(m)
	case wire.KindSyncBatch2:
		return n.onSyncBatch2(m)
	case wire.KindSyncReply:
		return n.onSyncReply(m)
	case wire.KindRoots, wire.KindNodes, wire.KindNodes32, wire.KindKeys, wire.KindKeyHashes:
		return n.onExchangeReply(m)
	default:
		return fmt.Errorf("%w: unknown kind %v", ErrBadMessage, m.Kind)
	}
}
