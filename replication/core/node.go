package core

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"

	"github.com/meridian-sync/meridian/replication/tree"
	"github.com/meridian-sync/meridian/replication/wire"
)

// tombstoneDigest stands in the hash tree for a deleted document, so a tombstone differs from every
// live state of the document and anti-entropy finds and spreads it.
var tombstoneDigest = sha256.Sum256([]byte("meridian/replication: document tombstone"))

// Node is the replication state machine of one node. It is not safe for concurrent use: the driver
// serialises calls (see doc.go for the loop).
type Node struct {
	cfg   Config
	store DocReader
	rng   *rand.Rand
	tick  uint64
	ready bool
	// interrupted: the records hold a bootstrap's mark (BootstrapRecord): bootstrap again.
	interrupted bool
	// readyTick is when a bootstrapping node started; aloneSince when it last saw no live peer.
	aloneSince uint64

	tree    *tree.Tree
	digests map[string][32]byte // what the tree holds per document (tombstoneDigest for tombs)
	tombs   map[string]bool

	// Realtime push, sender side: one shared log of local writes, a cursor per peer.
	seq     uint64
	log     map[uint64]wire.Message
	logTick map[uint64]uint64 // tick each logged write was made in this incarnation (for lag)
	logLow  uint64            // lowest sequence number that may still be in log
	peers   map[string]*peer
	// Realtime push, receiver side: next expected sequence number per origin.
	recv      map[string]uint64
	ackDue    map[string]bool
	gapAsked  map[string]uint64 // tick of the last gap report per origin, to send one per tick
	recvDirty map[string]bool

	exchanges    map[uint64]*exchange // by xid
	batchOf      map[uint64]uint64    // sync batch xid → its exchange's xid (batches.go)
	lastXid      uint64               // xids count up from a random start: short on the wire
	wantExchange map[string]bool      // peers owed an exchange as soon as possible
	deferred     map[string]uint64    // peers owed an exchange the peer should start: tick to give up waiting
	lastXidFrom  map[string]uint64    // the xid of the last exchange each peer started with us
	nextPeriodic uint64
	synced       map[string]bool // bootstrapping: peers with a clean exchange

	lastHeard map[string]uint64 // tick of the last message from each peer
	lastSent  map[string]uint64 // tick of the last message to each peer (heartbeats fill silences)

	// Repair throttling and send-backs (repair.go).
	docTokens, byteTokens int
	lastRepairSent        uint64 // tick of the last repair message sent (Repairing)
	repairSent            bool
	repairOut             []wire.Message
	pendingBack           []backCheck // from Steps since the last Ready
	inFlightBack          []backCheck // handed out with the last Ready, checked in Advance

	out   Ready
	stats Stats
}

// New returns a node restored from the records a previous incarnation asked to persist (nil for a
// first start). It reads every document digest from the store to rebuild the hash tree.
func New(cfg Config, saved []Record) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Node{
		cfg: cfg, store: cfg.Store, rng: rand.New(rand.NewPCG(cfg.Seed, 0x6d6572696469616e)),
		tree: tree.New(cfg.Shape), digests: map[string][32]byte{}, tombs: map[string]bool{},
		log: map[uint64]wire.Message{}, peers: map[string]*peer{}, recv: map[string]uint64{},
		ackDue: map[string]bool{}, gapAsked: map[string]uint64{}, recvDirty: map[string]bool{},
		exchanges: map[uint64]*exchange{}, batchOf: map[uint64]uint64{}, wantExchange: map[string]bool{}, synced: map[string]bool{},
		deferred: map[string]uint64{}, lastXidFrom: map[string]uint64{},
		logTick: map[uint64]uint64{}, lastHeard: map[string]uint64{}, lastSent: map[string]uint64{},
	}
	// A random start keeps a restarted node from reusing the xids of its previous life, while counting
	// up from below 2^16 keeps every xid at most three bytes on the wire.
	n.lastXid = n.rng.Uint64N(1 << 16)
	if err := n.restore(saved); err != nil {
		return nil, err
	}
	if n.interrupted {
		n.ready = false // an interrupted bootstrap: copy again before taking writes
	} else if !cfg.Bootstrap {
		n.ready = true
	}
	if err := n.rebuildTree(); err != nil {
		return nil, err
	}
	n.nextPeriodic = uint64(n.cfg.ExchangeIntervalTicks)
	n.docTokens, n.byteTokens = cfg.RepairDocsPerTick, cfg.RepairBytesPerTick
	return n, nil
}

// rebuildTree fills the tree from the store's digests and the tombstones. A tombstoned document the
// store still holds (a crash between persisting the tombstone and deleting) is deleted again.
func (n *Node) rebuildTree() error {
	err := n.store.Docs(func(doc string, d [32]byte) bool {
		if n.tombs[doc] {
			n.out.Delete = append(n.out.Delete, doc)
			return true
		}
		n.setDigest(doc, d)
		return true
	})
	if err != nil {
		return fmt.Errorf("meridian/replication/core: reading digests: %w", err)
	}
	for doc := range n.tombs {
		n.setDigest(doc, tombstoneDigest)
	}
	return nil
}

// setDigest moves a document to a new digest in the tree.
func (n *Node) setDigest(doc string, d [32]byte) {
	old, had := n.digests[doc]
	switch {
	case had && old == d:
		return
	case had:
		n.tree.Replace(doc, &old, &d)
	default:
		n.tree.Replace(doc, nil, &d)
	}
	n.digests[doc] = d
}

// ID is the node's id.
func (n *Node) ID() string { return n.cfg.ID }

// IsReady reports whether the node finished bootstrapping and accepts local writes.
func (n *Node) IsReady() bool { return n.ready }

// TreeTop is the top hash of the node's tree; replicas holding the same documents have equal tops.
func (n *Node) TreeTop() uint64 { return n.tree.Top() }

func (n *Node) send(m wire.Message) {
	m.From = n.cfg.ID
	n.stats.MessagesSent++
	n.lastSent[m.To] = n.tick
	n.out.Messages = append(n.out.Messages, m)
}

func (n *Node) persist(key string, value []byte) {
	n.out.Persist = append(n.out.Persist, Record{Key: key, Value: value})
}
