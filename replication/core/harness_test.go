package core

import (
	"sort"
	"testing"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication/tree"
	"github.com/meridian-sync/meridian/replication/wire"
)

// memStore is a DocReader over crdt.Docs, for scenario tests.
type memStore struct {
	client uint64
	docs   map[string]*crdt.Doc
}

func (s *memStore) digest(id string) Applied {
	d, ok := s.docs[id]
	if !ok {
		return Applied{Doc: id}
	}
	return Applied{Doc: id, Digest: d.Snapshot().Digest(), Held: true}
}

func (s *memStore) StateVector(id string) ([]byte, error) {
	if d, ok := s.docs[id]; ok {
		return d.EncodeStateVector(), nil
	}
	return crdt.NewDoc(crdt.WithClientID(1)).EncodeStateVector(), nil
}

func (s *memStore) Diff(id string, sv []byte) ([]byte, error) {
	v, err := crdt.DecodeStateVector(sv)
	if err != nil {
		return nil, err
	}
	return s.doc(id).EncodeStateAsUpdate(v), nil
}

func (s *memStore) Docs(fn func(string, [32]byte) bool) error {
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

// appliedDigests is what a driver reports to Advance after applying rd.
func (s *memStore) appliedDigests(rd Ready) []Applied {
	var out []Applied
	for _, u := range rd.Apply {
		out = append(out, s.digest(u.Doc))
	}
	return out
}

func (s *memStore) doc(id string) *crdt.Doc {
	if s.docs[id] == nil {
		s.docs[id] = crdt.NewDoc(crdt.WithClientID(s.client))
	}
	return s.docs[id]
}

// testNode is a core plus its store, records and outbox; pairs talk through deliver().
type testNode struct {
	t       *testing.T
	core    *Node
	store   *memStore
	records map[string][]byte
	outbox  []wire.Message
}

func testConfig(id string, st *memStore) Config {
	return Config{ID: id, Store: st, Seed: 7, Shape: tree.Shape{Fanout: 2, Depth: 4},
		ExchangeIntervalTicks: 1000, ConfirmPauseTicks: 1}
}

func newTestNode(t *testing.T, id string, client uint64, mutate func(*Config)) *testNode {
	t.Helper()
	st := &memStore{client: client, docs: map[string]*crdt.Doc{}}
	cfg := testConfig(id, st)
	if mutate != nil {
		mutate(&cfg)
	}
	c, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &testNode{t: t, core: c, store: st, records: map[string][]byte{}}
}

// drain performs Ready as a driver does and collects the messages.
func (n *testNode) drain() {
	n.t.Helper()
	for n.core.HasReady() {
		rd := n.core.Ready()
		for _, u := range rd.Apply {
			if err := n.store.doc(u.Doc).ApplyUpdate(u.Update); err != nil {
				n.t.Fatal(err)
			}
		}
		for _, r := range rd.Persist {
			if r.Value == nil {
				delete(n.records, r.Key)
			} else {
				n.records[r.Key] = r.Value
			}
		}
		for _, d := range rd.Delete {
			delete(n.store.docs, d)
		}
		n.outbox = append(n.outbox, rd.Messages...)
		if err := n.core.Advance(rd, n.store.appliedDigests(rd)); err != nil {
			n.t.Fatal(err)
		}
	}
}

// take removes and returns the outbox, passing each message through the codec.
func (n *testNode) take() []wire.Message {
	n.drain()
	out := n.outbox
	n.outbox = nil
	for i, m := range out {
		d, err := wire.Decode(wire.Encode(m), wire.DefaultLimits)
		if err != nil {
			n.t.Fatal(err)
		}
		d.From, d.To = m.From, m.To
		out[i] = d
	}
	return out
}

func (n *testNode) step(ms ...wire.Message) {
	n.t.Helper()
	for _, m := range ms {
		if err := n.core.Step(m); err != nil {
			n.t.Fatalf("%s step %v: %v", n.core.ID(), m.Kind, err)
		}
	}
	n.drain()
}

// exchangeUntilQuiet delivers messages between a and b until neither has anything to say.
func exchangeUntilQuiet(a, b *testNode, ticks int) {
	for i := 0; i < ticks; i++ {
		a.core.Tick()
		b.core.Tick()
		for round := 0; round < 50; round++ {
			am, bm := a.take(), b.take()
			if len(am) == 0 && len(bm) == 0 {
				break
			}
			b.step(am...)
			a.step(bm...)
		}
	}
}

// write makes a local map write on n and hands it to the core.
func (n *testNode) write(doc, key string, v int64) {
	n.t.Helper()
	d := n.store.doc(doc)
	var upd []byte
	cancel := d.OnUpdate(func(u []byte, _ any) { upd = u })
	if err := d.GetMap("m").Set(key, v); err != nil {
		n.t.Fatal(err)
	}
	cancel()
	if err := n.local(DurableWrite{Doc: doc, Update: upd}); err != nil {
		n.t.Fatal(err)
	}
	n.drain()
}

// local hands the core a durable write as the server's store does: numbered from the "seq" record,
// its push entry and the new "seq" written with it.
func (n *testNode) local(w DurableWrite) error {
	w.Seq = n.lastSeq() + 1
	if !w.Deleted {
		w.Digest = n.store.digest(w.Doc).Digest
	}
	for _, r := range []Record{PushRecord(w), SeqRecord(w.Seq)} {
		n.records[r.Key] = r.Value
	}
	return n.core.LocalUpdate(w)
}

func (n *testNode) lastSeq() uint64 {
	seq, _ := LastSeq(Record{Key: keySeq, Value: n.records[keySeq]})
	return seq
}

func (n *testNode) has(doc, key string) bool {
	d := n.store.docs[doc]
	return d != nil && d.GetMap("m").Has(key)
}

func ofKind(ms []wire.Message, k wire.Kind) []wire.Message {
	var out []wire.Message
	for _, m := range ms {
		if m.Kind == k {
			out = append(out, m)
		}
	}
	return out
}
