package core

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/meridian-sync/meridian/replication/wire"
)

// Record is one key the driver must write durably (Value nil means delete the key). Keys are ASCII
// and sort so that a prefix scan returns a kind of record together:
//
//	seq              last sequence number given to a local write (uvarint)
//	ready            present once the node finished bootstrapping
//	bootstrapping    present from the start of a bootstrap until it finishes: a node restarted
//	                 with it bootstraps again, whatever it holds (what it copied may be partial)
//	peer/<id>        a peer's realtime queue: floor and acked next (two uvarints)
//	log/<seq:020d>   a local write not yet acknowledged by every peer (wire-encoded Push)
//	recv/<id>        next sequence number expected from origin <id> (uvarint)
//	tomb/<doc>       the document is deleted, forever
type Record struct {
	Key   string
	Value []byte
}

const (
	keySeq   = "seq"
	keyReady = "ready"
	// keyBootstrapping marks a bootstrap under way (BootstrapRecord).
	keyBootstrapping = "bootstrapping"
	pfxPeer          = "peer/"
	pfxLog           = "log/"
	pfxRecv          = "recv/"
	pfxTomb          = "tomb/"
)

func logKey(seq uint64) string { return fmt.Sprintf("%s%020d", pfxLog, seq) }

func uvarints(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

func readUvarints(b []byte, n int) ([]uint64, bool) {
	out := make([]uint64, n)
	for i := range out {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, false
		}
		out[i], b = v, b[k:]
	}
	return out, len(b) == 0
}

// restore loads persisted records into a fresh node.
func (n *Node) restore(saved []Record) error {
	for _, r := range saved {
		if err := n.restoreOne(r); err != nil {
			return fmt.Errorf("%w: key %q: %v", ErrCorruptState, r.Key, err)
		}
	}
	// The log is trimmed in order, so anything below a peer's start is gone for it; never start a
	// peer below the oldest logged write.
	if len(n.log) == 0 {
		n.logLow = n.seq + 1
	}
	for _, p := range n.peers {
		p.sent = p.start() - 1
		n.forLogRange(p.start(), n.seq+1, func(_ uint64, e wire.Message) { p.bytes += e.Size() })
	}
	return nil
}

func (n *Node) restoreOne(r Record) error {
	k := r.Key
	switch {
	case k == keySeq:
		v, ok := readUvarints(r.Value, 1)
		if !ok {
			return fmt.Errorf("bad value")
		}
		n.seq = v[0]
	case k == keyReady:
		n.ready = true
	case k == keyBootstrapping:
		n.interrupted = true
	case strings.HasPrefix(k, pfxPeer):
		v, ok := readUvarints(r.Value, 2)
		if !ok {
			return fmt.Errorf("bad value")
		}
		n.peers[k[len(pfxPeer):]] = &peer{id: k[len(pfxPeer):], floor: v[0], acked: v[1]}
	case strings.HasPrefix(k, pfxLog):
		seq, err := strconv.ParseUint(k[len(pfxLog):], 10, 64)
		if err != nil {
			return err
		}
		m, err := wire.Decode(r.Value, wire.DefaultLimits)
		if err != nil || m.Kind != wire.KindPush || m.Seq != seq {
			return fmt.Errorf("bad logged push: %v", err)
		}
		n.log[seq] = m
		if m.Deleted {
			// The store wrote the delete and its push entry in one batch; the tombstone record the
			// core persists afterwards may not have made it.
			n.tombs[m.Doc] = true
		}
		if n.logLow == 0 || seq < n.logLow {
			n.logLow = seq
		}
	case strings.HasPrefix(k, pfxRecv):
		v, ok := readUvarints(r.Value, 1)
		if !ok {
			return fmt.Errorf("bad value")
		}
		n.recv[k[len(pfxRecv):]] = v[0]
	case strings.HasPrefix(k, pfxTomb):
		n.tombs[k[len(pfxTomb):]] = true
	default:
		return fmt.Errorf("unknown key")
	}
	return nil
}

// BootstrapRecord is the record the store writes, durably, before a node starts to copy from its peers;
// the core deletes it when the bootstrap finishes. A node restarted while it is there bootstraps again
// (Config.Bootstrap is then implied), so a bootstrap's copies may be written without fsyncs and a crash
// half-way never leaves a node ready with part of the data.
func BootstrapRecord() Record { return Record{Key: keyBootstrapping, Value: []byte{}} }
