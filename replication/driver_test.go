package replication_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication"
	"github.com/meridian-sync/meridian/replication/durable"
	"github.com/meridian-sync/meridian/replication/membership"
)

// docStore is a thread-safe in-memory Documents over crdt.Docs, standing in for the server's store; with
// records it numbers client writes and keeps their push entries as the server's store does.
type docStore struct {
	mu      sync.Mutex
	client  uint64
	docs    map[string]*crdt.Doc
	records *durable.Memory
}

var _ replication.Documents = (*docStore)(nil)

func newDocStore(client uint64, records *durable.Memory) *docStore {
	return &docStore{client: client, docs: map[string]*crdt.Doc{}, records: records}
}

func (s *docStore) digestLocked(id string) replication.Applied {
	if d, ok := s.docs[id]; ok {
		return replication.Applied{Doc: id, Digest: d.Snapshot().Digest(), Held: true}
	}
	return replication.Applied{Doc: id}
}

func (s *docStore) StateVector(id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.docs[id]; ok {
		return d.EncodeStateVector(), nil
	}
	return []byte{0}, nil
}

func (s *docStore) Diff(id string, sv []byte) ([]byte, error) {
	v, err := crdt.DecodeStateVector(sv)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.docs[id]
	if !ok {
		return nil, errors.New("no such document")
	}
	return d.EncodeStateAsUpdate(v), nil
}

func (s *docStore) Docs(fn func(string, [32]byte) bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.docs))
	for id := range s.docs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !fn(id, s.docs[id].Snapshot().Digest()) {
			break
		}
	}
	return nil
}

func (s *docStore) ApplyPeer(id string, u []byte, done func(replication.Applied, error)) {
	s.mu.Lock()
	err := s.docLocked(id).ApplyUpdate(u)
	a := s.digestLocked(id)
	s.mu.Unlock()
	go done(a, err) // from another goroutine, as the server's durable path does
}

// local numbers a write and makes it durable with its push entry, then hands it over.
func (s *docStore) local(t *testing.T, n *replication.Node, w replication.DurableWrite) {
	t.Helper()
	saved, err := s.records.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range saved {
		if seq, ok := replication.LastSeq(r); ok {
			w.Seq = seq
		}
	}
	w.Seq++
	if err := s.records.Save([]replication.Record{replication.PushRecord(w), replication.SeqRecord(w.Seq)}); err != nil {
		t.Fatal(err)
	}
	n.LocalUpdate(w)
}

func (s *docStore) DeleteDocument(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.docs, id)
	return nil
}

func (s *docStore) docLocked(id string) *crdt.Doc {
	if s.docs[id] == nil {
		s.docs[id] = crdt.NewDoc(crdt.WithClientID(s.client))
	}
	return s.docs[id]
}

// write is what the server does for a client write: store it, then hand it to replication.
func (s *docStore) write(t *testing.T, n *replication.Node, id, key string) {
	t.Helper()
	s.mu.Lock()
	d := s.docLocked(id)
	var upd []byte
	cancel := d.OnUpdate(func(u []byte, _ any) { upd = u })
	err := d.GetMap("m").Set(key, key)
	cancel()
	digest := d.Snapshot().Digest()
	s.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if n != nil {
		s.local(t, n, replication.DurableWrite{Doc: id, Update: upd, Digest: digest})
	}
}

func (s *docStore) has(id, key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.docs[id]
	return d != nil && d.GetMap("m").Has(key)
}

// testCluster runs nodes in one process on loopback with a controllable membership per node.
type testCluster struct {
	t       *testing.T
	key     []byte
	addrs   map[string]string
	stores  map[string]*docStore
	storage map[string]*durable.Memory
	members map[string]*membership.Static
	nodes   map[string]*replication.Node
	stops   map[string]func()
}

func newTestCluster(t *testing.T, ids ...string) *testCluster {
	c := &testCluster{t: t, key: []byte("test-cluster-key"), addrs: map[string]string{}, stores: map[string]*docStore{},
		storage: map[string]*durable.Memory{}, members: map[string]*membership.Static{},
		nodes: map[string]*replication.Node{}, stops: map[string]func(){}}
	for i, id := range ids {
		c.addrs[id] = freeAddr(t)
		c.storage[id] = durable.NewMemory()
		c.stores[id] = newDocStore(uint64(i+1), c.storage[id])
		c.members[id] = membership.NewStatic()
	}
	t.Cleanup(func() {
		for _, stop := range c.stops {
			stop()
		}
	})
	return c
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (c *testCluster) start(id string, bootstrap bool) { c.startWith(id, bootstrap, c.stores[id]) }

// startWith starts node id over docs (its docStore, or a wrapper of it).
func (c *testCluster) startWith(id string, bootstrap bool, docs replication.Documents) {
	c.t.Helper()
	region, node, _ := strings.Cut(id, "/")
	n, err := replication.New(replication.Config{Region: region, Node: node, PeerAddr: c.addrs[id], ClusterKey: c.key,
		Membership: c.members[id], Storage: c.storage[id], Bootstrap: bootstrap, TickInterval: 10 * time.Millisecond,
		ExchangeInterval: 100 * time.Millisecond, Seed: uint64(len(id))}, docs)
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	c.nodes[id] = n
	c.stops[id] = func() {
		cancel()
		if err := <-done; err != nil {
			c.t.Errorf("%s: Run: %v", id, err)
		}
		delete(c.stops, id)
	}
}

func (c *testCluster) stop(id string) { c.stops[id]() }

// see sets which peers node id's membership reports alive.
func (c *testCluster) see(id string, peers ...string) {
	var ms []membership.Member
	for _, p := range peers {
		region, _, _ := strings.Cut(p, "/")
		ms = append(ms, membership.Member{ID: p, Region: region, PeerAddr: c.addrs[p], Version: 1, Ready: true})
	}
	c.members[id].SetMembers(ms...)
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}

func TestDriverReplicatesRepairsAndBootstraps(t *testing.T) {
	a, b, cc, d := "eu/a", "us/b", "ap/c", "eu/d"
	c := newTestCluster(t, a, b, cc, d)
	c.see(a, b, cc)
	c.see(b, a, cc)
	c.see(cc, a, b)
	for _, id := range []string{a, b, cc} {
		c.start(id, false)
	}

	// Realtime: a write on one node shows up on the others.
	c.stores[a].write(t, c.nodes[a], "doc1", "from-a")
	waitUntil(t, "from-a reaches b and c", func() bool {
		return c.stores[b].has("doc1", "from-a") && c.stores[cc].has("doc1", "from-a")
	})

	// c crashes; writes continue on a and b; c restarts from its storage and catches up.
	c.stop(cc)
	c.see(a, b)
	c.see(b, a)
	for i := 0; i < 20; i++ {
		c.stores[a].write(t, c.nodes[a], fmt.Sprint("doc", i%5), fmt.Sprint("a", i))
		c.stores[b].write(t, c.nodes[b], fmt.Sprint("doc", i%7), fmt.Sprint("b", i))
	}
	c.start(cc, false)
	c.see(a, b, cc)
	c.see(b, a, cc)
	waitUntil(t, "c catches up", func() bool {
		for i := 0; i < 20; i++ {
			if !c.stores[cc].has(fmt.Sprint("doc", i%5), fmt.Sprint("a", i)) || !c.stores[cc].has(fmt.Sprint("doc", i%7), fmt.Sprint("b", i)) {
				return false
			}
		}
		return true
	})

	// d joins empty: it copies everything, becomes ready only then, and refuses writes before.
	c.see(d, a, b, cc)
	c.start(d, true)
	if c.nodes[d].Ready() { // its peers do not list it yet, so nobody answers it: it cannot be ready
		t.Fatal("an empty node must not start ready")
	}
	c.see(a, b, cc, d)
	c.see(b, a, cc, d)
	c.see(cc, a, b, d)
	waitUntil(t, "d is ready", c.nodes[d].Ready)
	for _, id := range []string{a, b, cc} {
		waitUntil(t, "trees equal "+id, func() bool { return c.nodes[id].Status().TreeTop == c.nodes[d].Status().TreeTop })
	}
	if got, want := len(c.stores[d].docs), len(c.stores[a].docs); got != want {
		t.Fatalf("d holds %d documents, a holds %d", got, want)
	}

	// A delete replicates as a tombstone.
	c.stores[b].mu.Lock()
	delete(c.stores[b].docs, "doc1")
	c.stores[b].mu.Unlock()
	c.stores[b].local(t, c.nodes[b], replication.DurableWrite{Doc: "doc1", Deleted: true})
	waitUntil(t, "the tombstone reaches everyone", func() bool {
		for _, id := range []string{a, b, cc, d} {
			if !c.nodes[id].IsDeleted("doc1") || c.stores[id].has("doc1", "from-a") {
				return false
			}
		}
		return true
	})

	st := c.nodes[a].Status()
	if !st.Ready || len(st.Regions) != 3 || len(st.Peers) != 3 || st.BytesSent == 0 {
		t.Fatalf("status %+v", st)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(c.nodes[a].Collector())
	families, err := reg.Gather()
	if err != nil || len(families) < 10 {
		t.Fatalf("metrics: %d families, err %v", len(families), err)
	}
}

func TestDriverRefusesPeersWithoutTheClusterKey(t *testing.T) {
	a, b := "eu/a", "us/b"
	c := newTestCluster(t, a, b)
	c.see(a, b)
	c.see(b, a)
	c.start(a, false)
	c.key = []byte("another-key")
	c.start(b, false)
	c.stores[b].write(t, c.nodes[b], "doc", "k")
	time.Sleep(300 * time.Millisecond)
	if c.stores[a].has("doc", "k") {
		t.Fatal("a peer with another cluster key got a write through")
	}
}
