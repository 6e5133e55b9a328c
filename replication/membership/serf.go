package membership

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
	"github.com/hashicorp/serf/serf"
)

// SerfConfig configures gossip membership.
type SerfConfig struct {
	Cluster    string // cluster name; members of another cluster are refused at merge. Default "meridian".
	Self       Member // this node (ID, Region, PeerAddr, Version)
	GossipAddr string // host:port serf binds (UDP and TCP)
	Join       []string
	// ClusterKey encrypts gossip. Serf needs 16, 24 or 32 bytes; any other length is hashed to 32.
	ClusterKey []byte
	// ReconnectTimeout: how long a failed member is retried before it is reaped. Default 24 h.
	ReconnectTimeout time.Duration
	// WAN selects memberlist's WAN timings (regions far apart); default LAN timings for tests.
	WAN    bool
	Logger *slog.Logger
}

// Serf is a Membership over hashicorp/serf.
type Serf struct {
	cfg  SerfConfig
	serf *serf.Serf
	mu   sync.Mutex
	self Member
}

var _ Membership = (*Serf)(nil)

// serfKey turns the cluster key into a valid AES key for memberlist.
func serfKey(k []byte) []byte {
	switch len(k) {
	case 16, 24, 32:
		return k
	}
	sum := sha256.Sum256(k)
	return sum[:]
}

// NewSerf starts gossip on GossipAddr. Joining is separate (JoinLoop), so a node can start alone.
func NewSerf(cfg SerfConfig) (*Serf, error) {
	if cfg.Cluster == "" {
		cfg.Cluster = "meridian"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	tags, err := EncodeTags(cfg.Cluster, cfg.Self)
	if err != nil {
		return nil, err
	}
	host, portStr, err := net.SplitHostPort(cfg.GossipAddr)
	if err != nil {
		return nil, fmt.Errorf("meridian/replication/membership: gossip address: %w", err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("meridian/replication/membership: gossip port: %w", err)
	}
	sc := serf.DefaultConfig()
	sc.NodeName = cfg.Self.ID
	sc.Tags = tags
	if cfg.WAN {
		sc.MemberlistConfig = memberlist.DefaultWANConfig()
	} else {
		sc.MemberlistConfig = memberlist.DefaultLANConfig()
	}
	sc.MemberlistConfig.Name = cfg.Self.ID
	sc.MemberlistConfig.BindAddr, sc.MemberlistConfig.BindPort = host, port
	sc.MemberlistConfig.AdvertisePort = port
	sc.MemberlistConfig.SecretKey = serfKey(cfg.ClusterKey)
	sc.MemberlistConfig.LogOutput = io.Discard
	if cfg.ReconnectTimeout > 0 {
		sc.ReconnectTimeout = cfg.ReconnectTimeout
	}
	sc.Logger = log.New(io.Discard, "", 0)
	sc.LogOutput = io.Discard
	sc.Merge = clusterGuard{cluster: cfg.Cluster}
	s, err := serf.Create(sc)
	if err != nil {
		return nil, fmt.Errorf("meridian/replication/membership: serf: %w", err)
	}
	return &Serf{cfg: cfg, serf: s, self: cfg.Self}, nil
}

// clusterGuard refuses to merge with nodes whose tags name another cluster.
type clusterGuard struct{ cluster string }

func (g clusterGuard) NotifyMerge(members []*serf.Member) error {
	for _, m := range members {
		if _, err := DecodeTags(g.cluster, m.Tags); err != nil {
			return fmt.Errorf("refusing %s: %w", m.Name, err)
		}
	}
	return nil
}

// JoinLoop tries the join addresses until one answers, then keeps checking: a node alone (its
// peers reaped after a long absence, or a restart) joins again. It returns when ctx ends.
func (s *Serf) JoinLoop(ctx context.Context, every time.Duration) {
	if len(s.cfg.Join) == 0 {
		return
	}
	for {
		if len(s.Members()) == 0 {
			if n, err := s.serf.Join(s.cfg.Join, true); err != nil {
				s.cfg.Logger.Info("join failed, retrying", "addrs", s.cfg.Join, "err", err)
			} else {
				s.cfg.Logger.Info("joined cluster", "contacted", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// Members lists alive members of our cluster other than this node.
func (s *Serf) Members() []Member {
	var out []Member
	for _, m := range s.serf.Members() {
		if m.Status != serf.StatusAlive || m.Name == s.cfg.Self.ID {
			continue
		}
		mem, err := DecodeTags(s.cfg.Cluster, m.Tags)
		if err != nil {
			continue
		}
		out = append(out, mem)
	}
	sortMembers(out)
	return out
}

// SetReady gossips the readiness tag.
func (s *Serf) SetReady(ready bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.self.Ready == ready {
		return nil
	}
	s.self.Ready = ready
	tags, err := EncodeTags(s.cfg.Cluster, s.self)
	if err != nil {
		return err
	}
	return s.serf.SetTags(tags)
}

// Leave leaves the cluster gracefully and shuts serf down.
func (s *Serf) Leave() error {
	err := s.serf.Leave()
	if serr := s.serf.Shutdown(); err == nil {
		err = serr
	}
	return err
}
