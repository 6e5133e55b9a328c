package core

import (
	"fmt"
	"testing"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication/wire"
)

// divergedPair returns two nodes holding the same docs documents, of which a holds one extra write
// in each of the first diverged, as after a partition whose realtime queue overflowed.
func divergedPair(t *testing.T, docs, diverged int, mutate func(*Config)) (a, b *testNode) {
	t.Helper()
	a, b = newTestNode(t, "a", 1, mutate), newTestNode(t, "b", 2, mutate)
	seed := crdt.NewDoc(crdt.WithClientID(99))
	if err := seed.GetMap("m").Set("k", "shared history"); err != nil {
		t.Fatal(err)
	}
	base := seed.EncodeStateAsUpdate(nil)
	for i := range docs {
		for _, n := range []*testNode{a, b} {
			if err := n.store.doc(fmt.Sprint("doc", i)).ApplyUpdate(base); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range []*testNode{a, b} {
		cfg := n.core.cfg
		c, err := New(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		n.core = c
	}
	for i := range diverged {
		a.write(fmt.Sprint("doc", i), "while-apart", int64(i))
	}
	a.take()
	return a, b
}

// TestRepairRespectsItsBudgets: a repair of 300 documents never asks for more documents in a tick than
// the documents budget, never sends more repair bytes than the bytes budget allows (over any run of
// ticks: ticks × budget plus one message, the only overshoot a whole message may cause), and still
// completes; once with the documents budget binding, once with the bytes budget binding.
func TestRepairRespectsItsBudgets(t *testing.T) {
	for _, budget := range []struct{ docs, bytes int }{{20, 1500}, {1000, 600}} {
		t.Run(fmt.Sprintf("docs=%d/bytes=%d", budget.docs, budget.bytes), func(t *testing.T) {
			repairWithin(t, budget.docs, budget.bytes)
		})
	}
}

func repairWithin(t *testing.T, docsPerTick, bytesPerTick int) {
	const diverged = 300
	a, b := divergedPair(t, 400, diverged, func(c *Config) {
		c.RepairDocsPerTick, c.RepairBytesPerTick, c.ExchangeIntervalTicks = docsPerTick, bytesPerTick, 5
	})
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	sent := map[string]int{}
	largest := 0
	var ticks int
	for ticks = 1; ticks <= 400 && a.core.TreeTop() != b.core.TreeTop(); ticks++ {
		a.core.Tick()
		b.core.Tick()
		requested := map[string]int{} // by the requesting node: each has its own budget
		for round := 0; round < 100; round++ {
			am, bm := a.take(), b.take()
			if len(am) == 0 && len(bm) == 0 {
				break
			}
			for _, m := range append(am, bm...) {
				if m.Kind != wire.KindSyncBatch1 && m.Kind != wire.KindSyncBatch2 && m.Kind != wire.KindSyncReply {
					continue
				}
				size := len(wire.Encode(m))
				sent[m.From] += size
				largest = max(largest, size)
				if m.Kind == wire.KindSyncBatch1 {
					requested[m.From] += len(m.Syncs)
				}
			}
			b.step(am...)
			a.step(bm...)
		}
		for node, r := range requested {
			if r > docsPerTick {
				t.Fatalf("tick %d: %s requested %d documents, budget %d", ticks, node, r, docsPerTick)
			}
		}
		for node, total := range sent {
			if limit := (ticks+1)*bytesPerTick + largest; total > limit {
				t.Fatalf("tick %d: %s sent %d repair bytes, budget allows %d", ticks, node, total, limit)
			}
		}
	}
	if a.core.TreeTop() != b.core.TreeTop() {
		t.Fatalf("not converged after %d ticks", ticks)
	}
	for i := range diverged {
		if !b.has(fmt.Sprint("doc", i), "while-apart") {
			t.Fatalf("doc%d not repaired", i)
		}
	}
	if ticks < diverged/docsPerTick {
		t.Fatalf("converged in %d ticks: the documents budget (%d/tick for %d documents) was not applied", ticks, docsPerTick, diverged)
	}
	if most := max(sent["a"], sent["b"]); ticks+1 < most/bytesPerTick {
		t.Fatalf("%d repair bytes sent in %d ticks: the bytes budget (%d/tick) was not applied", most, ticks, bytesPerTick)
	}
	t.Logf("300 documents repaired in %d ticks; repair bytes sent: %v; largest message %d", ticks, sent, largest)
}

// TestRepairSendsOneDirectionWhenOneSideLacksNothing: b lacks a's writes and a lacks nothing, so
// after b's reply a sends back only what b lacks, and b's reply carries no update bytes for a.
func TestRepairSendsOneDirectionWhenOneSideLacksNothing(t *testing.T) {
	a, b := divergedPair(t, 50, 10, nil)
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	var toA, toB, replies int
	for range 6 {
		a.core.Tick()
		b.core.Tick()
		for round := 0; round < 50; round++ {
			am, bm := a.take(), b.take()
			if len(am) == 0 && len(bm) == 0 {
				break
			}
			for _, m := range append(ofKind(bm, wire.KindSyncBatch2), ofKind(bm, wire.KindSyncReply)...) {
				replies++
				for _, s := range m.Syncs {
					toA += len(s.Update)
				}
			}
			for _, m := range ofKind(am, wire.KindSyncBatch2) {
				for _, s := range m.Syncs {
					toB += len(s.Update)
					if len(s.StateVector) != 0 {
						t.Fatal("a send-back must not ask for anything in return")
					}
				}
			}
			b.step(am...)
			a.step(bm...)
		}
	}
	if a.core.TreeTop() != b.core.TreeTop() {
		t.Fatal("not converged")
	}
	if toB == 0 || replies == 0 {
		t.Fatal("a never sent b its writes")
	}
	// a lacked nothing: b's answers carry no update bytes at all.
	if toA != 0 {
		t.Fatalf("b sent a %d update bytes although a lacked nothing", toA)
	}
}
