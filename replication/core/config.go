package core

import (
	"errors"
	"fmt"

	"github.com/meridian-sync/meridian/replication/tree"
)

// Config configures a Node. Zero durations and bounds take the documented defaults; Validate is run
// by New, so a Config is checked once.
type Config struct {
	// ID names this node in the cluster (for example "eu-west/n1"). Required.
	ID string
	// Store is the read side of the document store. Required.
	Store DocReader
	// Seed makes the node's random choices (exchange peer, jitter, exchange ids) reproducible.
	Seed uint64
	// Shape of the hash tree; every node of a cluster must use the same. Default tree.DefaultShape.
	Shape tree.Shape
	// Bootstrap marks a node that starts empty: it copies from its peers and reports Ready only once an
	// exchange with every live peer found nothing to repair. Ignored once a node has become ready.
	Bootstrap bool
	// BootstrapAloneTicks: a bootstrapping node that sees no live peer for this long becomes ready
	// alone (it is the first node of a cluster). Default 30.
	BootstrapAloneTicks int

	// ExchangeIntervalTicks between periodic anti-entropy exchanges with a random live peer (plus up
	// to half of it in jitter). Default 10.
	ExchangeIntervalTicks int
	// ExchangeTimeoutTicks abandons an exchange whose peer stopped answering. Default 20.
	ExchangeTimeoutTicks int
	// ConfirmPauseTicks between the two root comparisons of an exchange; a branch must differ in both
	// to be examined, so writes still in flight do not cause repairs. Default 1.
	ConfirmPauseTicks int
	// MaxConcurrentExchanges this node initiates at once. Default 2.
	MaxConcurrentExchanges int
	// MaxNodesPerLevel, MaxSegmentsPerExchange and MaxDocsPerExchange throttle repair: how many
	// differing tree nodes an exchange descends into per level, how many segments' key lists it asks
	// for, and how many documents it repairs. An exchange that hits a bound is followed by another one
	// at the next tick. Defaults 4096, 16384 (key lists may cover subtrees, not only segments) and
	// 2^20 (a bootstrap of a million documents queues them in one exchange instead of listing every key
	// again for each slice of them): a bound re-descends the upper tree levels in the next
	// exchange, so small bounds multiply the hash bytes of a large repair; the pace of repair is
	// set by the budgets below, not by these.
	MaxNodesPerLevel       int
	MaxSegmentsPerExchange int
	MaxDocsPerExchange     int
	// DeferTicks: when both nodes of a pair owe each other an exchange (a peer came up, a queue
	// overflowed), only the node with the lower id starts it at once; the other waits this long and
	// starts one only if the peer did not. One exchange repairs both sides, so this halves the work.
	// Default 10.
	DeferTicks int

	// QueueMaxBytes bounds each peer's realtime queue; past it the queue is dropped and the peer is
	// left to anti-entropy, so writers never block on a slow or absent peer. Default 64 MB.
	QueueMaxBytes int
	// PushWindow is how many pushes may be unacknowledged per peer. Default 256.
	PushWindow int
	// RetransmitTicks without ack progress before unacknowledged pushes are sent again. Default 5.
	RetransmitTicks int

	// RepairDocsPerTick bounds the documents this node asks peers to repair per tick, and
	// RepairBytesPerTick the encoded bytes of repair batches it sends per tick (as initiator and as
	// responder): a large repair is spread over ticks so clients keep their latency. Defaults 500
	// and 400 KB (5,000 documents/s and 4 MB/s at a 100 ms tick).
	RepairDocsPerTick  int
	RepairBytesPerTick int

	// HeartbeatTicks: a live peer sent nothing for this long gets a Heartbeat. Default 5.
	HeartbeatTicks int
	// ContactTimeoutTicks: a peer not heard from for this long is reported unreachable (and no
	// exchange is started with it) even while membership still lists it. Default 30.
	ContactTimeoutTicks int
}

// ErrInvalidConfig is wrapped by Validate's errors.
var ErrInvalidConfig = errors.New("meridian/replication/core: invalid config")

// Validate fills defaults and checks the required fields.
func (c *Config) Validate() error {
	if c.ID == "" {
		return fmt.Errorf("%w: ID is empty", ErrInvalidConfig)
	}
	if c.Store == nil {
		return fmt.Errorf("%w: Store is nil", ErrInvalidConfig)
	}
	if c.Shape == (tree.Shape{}) {
		c.Shape = tree.DefaultShape
	}
	if err := c.Shape.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	defaults := []struct {
		field *int
		def   int
	}{
		{&c.BootstrapAloneTicks, 30}, {&c.ExchangeIntervalTicks, 10}, {&c.ExchangeTimeoutTicks, 20},
		{&c.ConfirmPauseTicks, 1}, {&c.MaxConcurrentExchanges, 2}, {&c.MaxNodesPerLevel, 4096},
		{&c.MaxSegmentsPerExchange, 16384}, {&c.MaxDocsPerExchange, 1 << 20}, {&c.QueueMaxBytes, 64 << 20},
		{&c.PushWindow, 256}, {&c.RetransmitTicks, 5}, {&c.DeferTicks, 10},
		{&c.HeartbeatTicks, 5}, {&c.ContactTimeoutTicks, 30},
		{&c.RepairDocsPerTick, 500}, {&c.RepairBytesPerTick, 400 << 10},
	}
	for _, d := range defaults {
		if *d.field < 0 {
			return fmt.Errorf("%w: negative bound %d", ErrInvalidConfig, *d.field)
		}
		if *d.field == 0 {
			*d.field = d.def
		}
	}
	return nil
}
