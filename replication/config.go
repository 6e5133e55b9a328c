package replication

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/meridian-sync/meridian/replication/core"
	"github.com/meridian-sync/meridian/replication/durable"
	"github.com/meridian-sync/meridian/replication/membership"
)

// Config configures a replication Node. Fields marked required must be set; the rest have defaults.
type Config struct {
	// Region and Node name this node; its id in the cluster is "<Region>/<Node>". Required.
	Region, Node string
	// PeerAddr is the host:port the peer listener binds and that other nodes dial (publish the same
	// address in membership). Port 0 picks a free port (see Node.PeerAddr). Required.
	PeerAddr string
	// ClusterKey authenticates peer streams (and, in the serf membership, encrypts gossip). Required.
	ClusterKey []byte
	// ClusterKeys, when set, is the cluster keyring peer streams follow (the primary first; membership.Serf.Keys):
	// it is read at every handshake, so a key rotation applies without a restart. It overrides ClusterKey there.
	ClusterKeys func() [][]byte
	// TLS, when set, wraps peer streams in TLS (used as both client and server config).
	TLS *tls.Config
	// Membership says which nodes are alive and where they listen. Required.
	Membership membership.Membership
	// Storage keeps the core's records (realtime queue, counters, tombstones). Required.
	Storage durable.Storage
	// Bootstrap: this node starts empty and must copy from its peers before accepting writes.
	Bootstrap bool

	// TickInterval is the core's clock. Default 100 ms.
	TickInterval time.Duration
	// ExchangeInterval between periodic anti-entropy exchanges with a random peer. Default 5 s.
	ExchangeInterval time.Duration
	// QueueMaxBytes bounds each peer's realtime queue. Default 64 MB.
	QueueMaxBytes int
	// MaxDocsPerExchange bounds the documents one exchange repairs (later exchanges do the rest).
	// Default 16384.
	MaxDocsPerExchange int
	// RepairDocsPerSecond and RepairBytesPerSecond are the most anti-entropy repair and bootstrap may
	// use: documents this node asks peers to repair, and bytes of repair batches it sends (as
	// initiator and as responder). Below them the budget adapts to client latency (budget.go).
	// Defaults 50,000 documents/s and 64 MB/s.
	RepairDocsPerSecond  int
	RepairBytesPerSecond int
	// ClientLatency reports the p99 of the node's client write latency over a recent window (the
	// server measures it); repair backs off when it rises. Nil: repair runs at the maximum.
	ClientLatency func() time.Duration
	// RepairLatencyTarget is the client write p99 repair backs off above (or 1.5 × the idle p99 if
	// that is higher). Default 10 ms.
	RepairLatencyTarget time.Duration
	// SendBuffer is how many frames may wait per peer connection; beyond it frames are dropped (the
	// core retransmits and anti-entropy repairs), so a slow peer never blocks the node. Default 4096.
	SendBuffer int
	// Seed for the core's random choices; default from the clock.
	Seed uint64
	// Logger; nil discards.
	Logger *slog.Logger
}

// ErrConfig is wrapped by configuration errors.
var ErrConfig = errors.New("meridian/replication: invalid config")

func (c *Config) validate() error {
	switch {
	case c.Region == "" || c.Node == "":
		return fmt.Errorf("%w: Region and Node are required", ErrConfig)
	case c.PeerAddr == "":
		return fmt.Errorf("%w: PeerAddr is required", ErrConfig)
	case len(c.ClusterKey) == 0:
		return fmt.Errorf("%w: ClusterKey is required", ErrConfig)
	case c.Membership == nil || c.Storage == nil:
		return fmt.Errorf("%w: Membership and Storage are required", ErrConfig)
	}
	if c.TickInterval <= 0 {
		c.TickInterval = 100 * time.Millisecond
	}
	if c.ExchangeInterval <= 0 {
		c.ExchangeInterval = 5 * time.Second
	}
	if c.RepairDocsPerSecond <= 0 {
		c.RepairDocsPerSecond = 50000
	}
	if c.RepairBytesPerSecond <= 0 {
		c.RepairBytesPerSecond = 64 << 20
	}
	if c.RepairLatencyTarget <= 0 {
		c.RepairLatencyTarget = 10 * time.Millisecond
	}
	if c.SendBuffer <= 0 {
		c.SendBuffer = 4096
	}
	if c.Seed == 0 {
		c.Seed = uint64(time.Now().UnixNano())
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// ID is the node's cluster id.
func (c *Config) ID() string { return c.Region + "/" + c.Node }

func (c *Config) coreConfig(store Documents) core.Config {
	ticks := int(c.ExchangeInterval / c.TickInterval)
	return core.Config{
		ID: c.ID(), Store: store, Seed: c.Seed, Bootstrap: c.Bootstrap,
		ExchangeIntervalTicks: max(ticks, 1), QueueMaxBytes: c.QueueMaxBytes, MaxDocsPerExchange: c.MaxDocsPerExchange,
		RepairDocsPerTick: c.perTick(c.RepairDocsPerSecond), RepairBytesPerTick: c.perTick(c.RepairBytesPerSecond),
	}
}

// perTick turns a per-second budget into the core's per-tick one (0 keeps the core's default; a
// positive budget never rounds down to nothing).
func (c *Config) perTick(perSecond int) int {
	if perSecond <= 0 {
		return 0
	}
	return max(int(int64(perSecond)*int64(c.TickInterval)/int64(time.Second)), 1)
}
