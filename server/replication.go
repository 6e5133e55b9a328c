package server

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/meridian-sync/meridian/replication"
	"github.com/meridian-sync/meridian/server/store"
)

// ClusterConfig turns on geo-replication (package replication). Without PeerAddr the node runs alone.
type ClusterConfig struct {
	PeerAddr string // host:port the replication listener binds (--peer-addr)
	// PeerAdvertise is the address published to peers when it differs from PeerAddr (NAT, a proxy, a bind
	// on 0.0.0.0) (--peer-advertise); default PeerAddr.
	PeerAdvertise string
	GossipAddr    string   // host:port serf gossips on, UDP and TCP (--gossip-addr)
	Join          []string // gossip addresses of existing members, retried until one answers (--join)
	// ClusterKey encrypts gossip and authenticates peer streams; ≥ 16 bytes (--cluster-key). It starts the
	// node's keyring; once a rotation has written <data>/cluster-keyring.json, that file is in force.
	ClusterKey string
	// ExchangeInterval between periodic anti-entropy exchanges (--exchange-interval); default 5 s.
	ExchangeInterval time.Duration
	// WAN selects serf's WAN timings (--gossip-wan); LAN timings suit loopback and one data centre.
	WAN bool
	// PeerTLSCert and PeerTLSKey turn on TLS for peer streams (--peer-tls-cert, --peer-tls-key): the node then
	// dials and accepts only TLS on the peer port. Reloaded when the files change, like the client port's.
	PeerTLSCert, PeerTLSKey string
	// PeerTLSCA makes peer TLS mutual (--peer-tls-ca): both ends verify the other's certificate against it.
	PeerTLSCA string
	// ReconnectTimeout is how long gossip keeps retrying a failed member before it is reaped
	// (--gossip-reconnect-timeout); a reaped node rejoins through --join when it comes back. 0: 24 h.
	ReconnectTimeout time.Duration
	// RepairDocsPerSecond and RepairBytesPerSecond are the most anti-entropy repair and bootstrap may use
	// (--repair-docs-per-second, --repair-bytes-per-second); below them the budget adapts to the node's client
	// write latency (replication/budget.go). 0 takes the defaults (50,000 documents/s, 64 MiB/s).
	RepairDocsPerSecond, RepairBytesPerSecond int
	// RepairLatencyTarget is the client write p99 repair backs off above (--repair-latency-target; 0: 10 ms).
	RepairLatencyTarget time.Duration
}

func (c *ClusterConfig) peerTLSEnabled() bool { return c.PeerTLSCert != "" }

func (c *ClusterConfig) enabled() bool { return c.PeerAddr != "" }

func (c *ClusterConfig) validate() []error {
	var errs []error
	if !c.enabled() {
		if len(c.Join) > 0 || c.GossipAddr != "" {
			errs = append(errs, errors.New("--join and --gossip-addr need --peer-addr (the replication listener)"))
		}
		return errs
	}
	if c.GossipAddr == "" {
		errs = append(errs, errors.New("--peer-addr needs --gossip-addr (host:port for serf membership)"))
	}
	if (c.PeerTLSCert == "") != (c.PeerTLSKey == "") {
		errs = append(errs, errors.New("--peer-tls-cert and --peer-tls-key go together"))
	}
	if c.PeerTLSCA != "" && c.PeerTLSCert == "" {
		errs = append(errs, errors.New("--peer-tls-ca needs --peer-tls-cert and --peer-tls-key (mutual TLS presents a certificate)"))
	}
	if c.ReconnectTimeout < 0 {
		errs = append(errs, fmt.Errorf("--gossip-reconnect-timeout cannot be negative (got %s); the default is 24h", c.ReconnectTimeout))
	}
	if c.RepairDocsPerSecond < 0 || c.RepairBytesPerSecond < 0 {
		errs = append(errs, errors.New("--repair-docs-per-second and --repair-bytes-per-second cannot be negative (0 takes the defaults)"))
	}
	if c.RepairLatencyTarget < 0 {
		errs = append(errs, fmt.Errorf("--repair-latency-target cannot be negative (got %s); 0 takes the default, 10ms", c.RepairLatencyTarget))
	}
	if len(c.ClusterKey) < replication.MinClusterKeyLen {
		errs = append(errs, fmt.Errorf("--cluster-key has %d bytes; use at least 16, the same on every node "+
			"(openssl rand -base64 32; prefer MERIDIAN_CLUSTER_KEY: flags show in ps)", len(c.ClusterKey)))
	}
	return errs
}

func registerClusterFlags(fs *flag.FlagSet, c *ClusterConfig) {
	fs.StringVar(&c.PeerAddr, "peer-addr", "", "replication listener host:port, reachable by the other nodes (empty: run alone)")
	fs.StringVar(&c.PeerAdvertise, "peer-advertise", "", "replication address published to peers (default: --peer-addr)")
	fs.StringVar(&c.GossipAddr, "gossip-addr", "", "serf membership host:port (UDP and TCP)")
	fs.Var(listFlag{&c.Join}, "join", "gossip addresses of existing members (comma separated), retried until one answers")
	fs.StringVar(&c.ClusterKey, "cluster-key", "", "shared cluster key: gossip encryption and peer authentication (prefer MERIDIAN_CLUSTER_KEY)")
	fs.DurationVar(&c.ExchangeInterval, "exchange-interval", 5*time.Second, "anti-entropy exchange period")
	fs.BoolVar(&c.WAN, "gossip-wan", false, "serf WAN timings (regions far apart)")
	fs.StringVar(&c.PeerTLSCert, "peer-tls-cert", "", "PEM certificate for peer streams: with it, the peer port speaks only TLS (reloaded on change)")
	fs.StringVar(&c.PeerTLSKey, "peer-tls-key", "", "PEM private key of --peer-tls-cert")
	fs.DurationVar(&c.ReconnectTimeout, "gossip-reconnect-timeout", replication.DefaultReconnectTimeout,
		"how long a failed member is retried before it is reaped (it rejoins through --join when back)")
	fs.IntVar(&c.RepairDocsPerSecond, "repair-docs-per-second", 0, "most documents/s repair and bootstrap may ask for; below it the budget adapts to client latency (0: 50000)")
	fs.IntVar(&c.RepairBytesPerSecond, "repair-bytes-per-second", 0, "most bytes/s repair and bootstrap may send; below it the budget adapts to client latency (0: 64 MiB/s)")
	fs.DurationVar(&c.RepairLatencyTarget, "repair-latency-target", 0, "client write p99 above which repair and bootstrap back off (or 1.5 x the idle p99 if higher; 0: 10ms)")
	fs.StringVar(&c.PeerTLSCA, "peer-tls-ca", "", "PEM CA bundle: makes peer TLS mutual, each end verifying the other's certificate against it; reloaded on change (rotate: add the new CA, renew certificates, remove the old CA)")
}

// replicationRefusal says why a client write must be refused before it is stored: the node is still copying
// from its peers (it would acknowledge writes it may not keep in order), or the document was deleted in the
// cluster.
func (s *Server) replicationRefusal(doc string) *refusal {
	switch {
	case s.repl == nil:
		return nil
	case !s.repl.Ready():
		return &refuseBootstrapping
	case s.repl.IsDeleted(doc):
		return &refuseDeletedInCluster
	}
	return nil
}

var (
	refuseBootstrapping    = refusal{CloseInternal, "bootstrapping", "this region is still copying from its peers; retry shortly"}
	refuseDeletedInCluster = refusal{CloseDeleted, "deleted", "the document was deleted"}
)

// startReplication joins the cluster: serf membership, the replication node over this store, its metrics.
// It runs until Shutdown.
func (s *Server) startReplication() error {
	c := s.cfg.Cluster
	bootstrap, err := s.needsBootstrap()
	if err != nil {
		return err
	}
	advertise := c.PeerAdvertise
	if advertise == "" {
		advertise = c.PeerAddr
	}
	self := replication.Member{ID: s.cfg.Region + "/" + s.cfg.Node, Region: s.cfg.Region, PeerAddr: advertise,
		Version: 1}
	peerTLS, peerCerts, err := s.loadPeerTLS()
	if err != nil {
		return err
	}
	members, err := replication.NewSerf(replication.SerfConfig{Self: self, GossipAddr: c.GossipAddr, Join: c.Join,
		ClusterKey: []byte(c.ClusterKey), KeyringFile: s.clusterKeyringFile(), WAN: c.WAN,
		ReconnectTimeout: c.ReconnectTimeout,
		Logger:           s.log.With("component", "gossip")})
	if err != nil {
		return err
	}
	node, err := replication.New(replication.Config{
		Region: s.cfg.Region, Node: s.cfg.Node, PeerAddr: c.PeerAddr, ClusterKey: []byte(c.ClusterKey),
		// Peer streams follow the gossip keyring, so a rotation through the key manager applies to both.
		ClusterKeys: members.Keys, TLS: peerTLS,
		Membership: members, Storage: replicationRecords{s.store, &s.closed},
		ClientLatency: s.writeLatency.p99,
		// An empty node joining a cluster copies everything before it takes writes (and one whose copy was
		// interrupted copies again); the first node of a cluster (nothing to join) is ready at once.
		Bootstrap: bootstrap, ExchangeInterval: c.ExchangeInterval,
		RepairDocsPerSecond: c.RepairDocsPerSecond, RepairBytesPerSecond: c.RepairBytesPerSecond,
		RepairLatencyTarget: c.RepairLatencyTarget,
		// Anyone who reaches the peer port can make it refuse a handshake: one line per kind per window.
		Logger: newThrottledLogger(s.log, peerRefusalMessages...).With("component", "replication"),
	}, peerDocuments{s})
	if err != nil {
		_ = members.Leave()
		return err
	}
	s.repl, s.gossip = node, members
	s.metrics.registry.MustRegister(node.Collector())
	ctx, cancel := context.WithCancel(context.Background())
	s.replStop = cancel
	s.replDone = make(chan error, 1)
	go members.JoinLoop(ctx, 5*time.Second)
	watched := s.watchPeerCerts(ctx, peerCerts)
	go func() {
		err := node.Run(ctx)
		<-watched // the certificate watcher ends with ctx too; wait for it so nothing logs after Shutdown
		s.replDone <- err
	}()
	s.log.Info("replication started", "id", node.ID(), "peer_addr", node.PeerAddr(), "gossip_addr", c.GossipAddr,
		"join", c.Join, "bootstrap", bootstrap, "peer_tls", c.peerTLSEnabled(),
		"peer_mutual_tls", c.PeerTLSCA != "", "cluster_key", replication.Fingerprint(members.Keys()[0]))
	return nil
}

// stopReplication leaves the cluster and stops the replication node (before the store closes).
func (s *Server) stopReplication() error {
	if s.repl == nil {
		return nil
	}
	leaveErr := s.gossip.Leave()
	s.replStop()
	return errors.Join(leaveErr, <-s.replDone)
}

// needsBootstrap decides whether this node copies from its peers before taking writes: an empty node that
// joins a cluster, or one whose earlier bootstrap did not finish (its mark is still stored). A new bootstrap's
// mark is stored durably first, so the copies may be written without fsyncs (replicate_in.go): a crash
// half-way brings the node back bootstrapping, never ready with part of the data.
func (s *Server) needsBootstrap() (bool, error) {
	mark := replication.BootstrapRecord()
	_, marked, err := s.store.ReplicationRecord(mark.Key)
	if err != nil || marked {
		return marked, err
	}
	docs, _, err := s.store.List("", "", 1)
	if err != nil || len(docs) > 0 || len(s.cfg.Cluster.Join) == 0 {
		return false, err
	}
	return true, s.store.SaveReplicationRecords([]store.Record{{Key: mark.Key, Value: mark.Value}})
}

// replicationReady is what /readyz reports on top of the server's own readiness.
func (s *Server) replicationReady() bool { return s.repl == nil || s.repl.Ready() }

type writeOrigin int

const (
	originClient writeOrigin = iota // a client of this node: replicated to peers once durable
	originPeer                      // replicated from a peer: stored and broadcast, never forwarded
)
