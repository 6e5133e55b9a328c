package core

import (
	"fmt"
	"testing"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication/tree"
	"github.com/meridian-sync/meridian/replication/wire"
)

// BenchmarkHeal measures anti-entropy after a partition: two nodes hold the same docs documents,
// then diverged of them get one write on one side while apart (no realtime push), then the nodes
// meet. It reports ticks to converge, bytes exchanged, and the bytes of the missing updates, for the
// replication.md target "bytes ≤ 2 × missing + 64 KB". Run with -benchtime=1x:
//
//	go test ./replication/core -run '^$' -bench Heal -benchtime=1x
func BenchmarkHeal(b *testing.B) {
	for _, size := range []struct{ docs, diverged int }{{1000, 1}, {1000, 100}, {10000, 1}, {10000, 100}, {10000, 10000}, {100000, 10000}} {
		b.Run(fmt.Sprintf("docs=%d/diverged=%d", size.docs, size.diverged), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ticks, sent, missing := healOnce(b, size.docs, size.diverged)
				b.ReportMetric(float64(ticks), "ticks")
				b.ReportMetric(float64(sent), "bytes-exchanged")
				b.ReportMetric(float64(missing), "bytes-missing")
			}
		})
	}
}

func healOnce(b *testing.B, docs, diverged int) (ticks, sent, missing int) {
	b.StopTimer()
	mk := func(id string, client uint64) *testNode {
		st := &memStore{client: client, docs: map[string]*crdt.Doc{}}
		cfg := Config{ID: id, Store: st, Seed: 1, Shape: tree.DefaultShape, ExchangeIntervalTicks: 1000}
		c, err := New(cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		return &testNode{t: &testing.T{}, core: c, store: st, records: map[string][]byte{}}
	}
	seed := crdt.NewDoc(crdt.WithClientID(99))
	if err := seed.GetMap("m").Set("k", "shared history"); err != nil {
		b.Fatal(err)
	}
	base := seed.EncodeStateAsUpdate(nil)
	a, c := mk("a", 1), mk("c", 2)
	for i := 0; i < docs; i++ {
		for _, n := range []*testNode{a, c} {
			if err := n.store.doc(fmt.Sprint("doc", i)).ApplyUpdate(base); err != nil {
				b.Fatal(err)
			}
		}
	}
	var err error
	if a.core, err = New(a.core.cfg, nil); err != nil {
		b.Fatal(err)
	}
	if c.core, err = New(c.core.cfg, nil); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < diverged; i++ {
		d := a.store.doc(fmt.Sprint("doc", i*docs/diverged))
		var upd []byte
		cancel := d.OnUpdate(func(u []byte, _ any) { upd = u })
		if err := d.GetMap("m").Set("while-apart", int64(i)); err != nil {
			b.Fatal(err)
		}
		cancel()
		missing += len(upd)
		a.core.setDigest(fmt.Sprint("doc", i*docs/diverged), d.Snapshot().Digest())
	}
	byKind := map[wire.Kind]int{}
	defer func() { b.Logf("bytes by kind: %v", byKind) }()
	b.StartTimer()
	a.core.PeerUp("c")
	c.core.PeerUp("a")
	for ticks = 1; ticks < 500 && a.core.TreeTop() != c.core.TreeTop(); ticks++ {
		a.core.Tick()
		c.core.Tick()
		for round := 0; round < 50; round++ {
			am, cm := a.take(), c.take()
			if len(am) == 0 && len(cm) == 0 {
				break
			}
			for _, m := range append(am, cm...) {
				sent += len(wire.Encode(m)) + 16 + 2 // frame tag and length
				byKind[m.Kind] += len(wire.Encode(m)) + 18
			}
			c.step(am...)
			a.step(cm...)
		}
	}
	if a.core.TreeTop() != c.core.TreeTop() {
		b.Fatalf("not converged after %d ticks", ticks)
	}
	return ticks, sent, missing
}
