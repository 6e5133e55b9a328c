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
	// at the next tick. Defaults 512, 256, 256.
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
		{&c.ConfirmPauseTicks, 1}, {&c.MaxConcurrentExchanges, 2}, {&c.MaxNodesPerLevel, 512},
		{&c.MaxSegmentsPerExchange, 256}, {&c.MaxDocsPerExchange, 256}, {&c.QueueMaxBytes, 64 << 20},
		{&c.PushWindow, 256}, {&c.RetransmitTicks, 5}, {&c.DeferTicks, 10},
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
