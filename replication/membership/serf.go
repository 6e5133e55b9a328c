package membership

import (
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
	// KeyringFile persists the gossip keyring (serf rewrites it at every install, use and remove), so a
	// rotation survives restarts; when it exists it wins over ClusterKey (see keyring.go). Empty: memory only.
	KeyringFile string
	// ReconnectTimeout: how long a failed member is retried before it is reaped. Default 24 h. A
	// reaped member is joined again by JoinLoop once it answers (rejoin.go).
	ReconnectTimeout time.Duration
	// ReconnectInterval between attempts to contact failed members. Default 3 s (serf's is 30 s).
	ReconnectInterval time.Duration
	// WAN selects memberlist's WAN timings (regions far apart); default LAN timings for tests.
	WAN    bool
	Logger *slog.Logger
}

// Serf is a Membership over hashicorp/serf.
type Serf struct {
	cfg  SerfConfig
	serf *serf.Serf
	// keyring is memberlist's, changed in place by serf's key manager; peer streams read it (Keys).
	keyring *memberlist.Keyring
	mu      sync.Mutex
	self    Member
}

var _ Membership = (*Serf)(nil)

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
	keyring, err := loadKeyring(cfg.KeyringFile, cfg.ClusterKey, cfg.Logger)
	if err != nil {
		return nil, err
	}
	sc.MemberlistConfig.Keyring, sc.KeyringFile = keyring, cfg.KeyringFile
	sc.MemberlistConfig.LogOutput = io.Discard
	applyLiveness(sc, cfg)
	sc.Logger = log.New(io.Discard, "", 0)
	sc.LogOutput = io.Discard
	sc.Merge = clusterGuard{cluster: cfg.Cluster}
	s, err := serf.Create(sc)
	if err != nil {
		return nil, fmt.Errorf("meridian/replication/membership: serf: %w", err)
	}
	return &Serf{cfg: cfg, serf: s, keyring: keyring, self: cfg.Self}, nil
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
