// Package membership tells the replication driver which nodes are in the cluster and alive.
//
// The driver polls Members every tick and turns changes into core.PeerUp / PeerDown; it publishes
// its readiness with SetReady. Membership carries only small facts (region, node, peer address,
// readiness, protocol version, within serf's 512-byte tag limit): document bytes never travel
// through it. Serf (gossip, encrypted with the cluster key, other clusters refused at merge) is the
// real implementation, in serf.go; Static is a fixed list for tests and for clusters without gossip.
//
// Serf also owns the cluster keyring (keyring.go, keyring_ops.go): the --cluster-key is its first
// key, SerfConfig.KeyringFile keeps it across restarts, and InstallKey, UseKey, RemoveKey and ListKeys
// rotate it on every member through serf's key manager. Keys() is the local keyring, the primary
// first; peer streams authenticate with it (transport.Identity.Keys), so gossip and replication
// follow the same rotation. Keys are reported by Fingerprint only.
//
// This package is also the seam where a document-to-node mapping would live: today every node holds
// every document, so every member is a replication peer for every document.
package membership

import (
	"errors"
	"sort"
	"sync"
)

// Member is one node as membership sees it.
type Member struct {
	ID       string // unique node id, "<region>/<node>"
	Region   string
	PeerAddr string // where its replication listener accepts peer streams
	Ready    bool   // finished bootstrapping
	Version  int    // peer protocol version
}

// Membership is the driver's view of the cluster. Implementations are safe for concurrent use.
type Membership interface {
	// Members returns the alive members other than this node, sorted by ID.
	Members() []Member
	// SetReady publishes this node's readiness to the other members.
	SetReady(ready bool) error
	// Leave announces a graceful departure and stops taking part.
	Leave() error
}

// ErrClosed is returned by a Membership used after Leave.
var ErrClosed = errors.New("meridian/replication/membership: closed")

// Static is a Membership over a list the caller controls (SetMembers), for tests.
type Static struct {
	mu      sync.Mutex
	members []Member
	ready   bool
	closed  bool
}

var _ Membership = (*Static)(nil)

// NewStatic returns a Static listing members.
func NewStatic(members ...Member) *Static {
	s := &Static{}
	s.SetMembers(members...)
	return s
}

// SetMembers replaces the list of alive members.
func (s *Static) SetMembers(members ...Member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members = append([]Member(nil), members...)
	sortMembers(s.members)
}

func sortMembers(ms []Member) { sort.Slice(ms, func(i, j int) bool { return ms[i].ID < ms[j].ID }) }

// Members returns the list (empty after Leave).
func (s *Static) Members() []Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	return append([]Member(nil), s.members...)
}

// SetReady records readiness (IsReady reports it).
func (s *Static) SetReady(ready bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.ready = ready
	return nil
}

// IsReady reports the last SetReady.
func (s *Static) IsReady() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ready
}

// Leave empties the view.
func (s *Static) Leave() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
