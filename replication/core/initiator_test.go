package core

import (
	"fmt"
	"testing"

	"github.com/meridian-sync/meridian/crdt"

	"github.com/meridian-sync/meridian/replication/wire"
)

func TestOnlyTheLowerIdStartsTheExchangeAtFirstContact(t *testing.T) {
	a, b := newTestNode(t, "a", 1, nil), newTestNode(t, "b", 2, nil)
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	a.core.Tick()
	b.core.Tick()
	if got := len(ofKind(a.take(), wire.KindRootsReq)); got != 1 {
		t.Fatalf("a (lower id) sent %d RootsReq, want 1", got)
	}
	if got := len(ofKind(b.take(), wire.KindRootsReq)); got != 0 {
		t.Fatalf("b (higher id) sent %d RootsReq at first contact, want 0: one exchange repairs both", got)
	}
}

func TestTheHigherIdStartsItselfWhenThePeerDoesNot(t *testing.T) {
	b := newTestNode(t, "b", 2, func(c *Config) { c.DeferTicks = 3 })
	b.core.PeerUp("a")
	sent := 0
	for range 2 { // the PeerUp was at tick 0: ticks 1 and 2 wait
		b.core.Tick()
		sent += len(ofKind(b.take(), wire.KindRootsReq))
	}
	if sent != 0 {
		t.Fatalf("b started %d exchanges within the deferral", sent)
	}
	b.core.Tick()
	if got := len(ofKind(b.take(), wire.KindRootsReq)); got != 1 {
		t.Fatalf("after the deferral b sent %d RootsReq, want 1", got)
	}
}

func TestAnExchangeFromThePeerCancelsTheDeferral(t *testing.T) {
	b := newTestNode(t, "b", 2, func(c *Config) { c.DeferTicks = 3 })
	b.core.PeerUp("a")
	b.step(wire.Message{Kind: wire.KindRootsReq, From: "a", Xid: 5, Top: 1})
	b.take()
	for range 6 {
		b.core.Tick()
		if got := len(ofKind(b.take(), wire.KindRootsReq)); got != 0 {
			t.Fatalf("b started an exchange although a already did")
		}
	}
}

func TestABootstrappingNodeAlwaysStartsItsOwnExchange(t *testing.T) {
	b := newTestNode(t, "b", 2, func(c *Config) { c.Bootstrap = true })
	b.core.PeerUp("a")
	b.core.Tick()
	if got := len(ofKind(b.take(), wire.KindRootsReq)); got != 1 {
		t.Fatalf("a bootstrapping b sent %d RootsReq, want 1: it needs its own clean exchange", got)
	}
}

// TestNoExchangeWithABootstrappingPeer: the bootstrapping node pulls everything itself, so its ready peer
// (even the lower id, the usual initiator) starts none with it until it reports ready; then the owed one runs.
func TestNoExchangeWithABootstrappingPeer(t *testing.T) {
	a := newTestNode(t, "a", 1, nil)
	a.core.PeerUp("b")
	a.core.PeerBootstrapping("b", true)
	for range 20 { // within the contact timeout: b stays reachable
		a.core.Tick()
		if got := len(ofKind(a.take(), wire.KindRootsReq)); got != 0 {
			t.Fatal("a started an exchange with a bootstrapping peer: every document would move twice")
		}
	}
	a.core.PeerBootstrapping("b", false)
	a.core.Tick()
	if got := len(ofKind(a.take(), wire.KindRootsReq)); got != 1 {
		t.Fatalf("once b is ready a sent %d RootsReq, want the owed exchange", got)
	}
}

// TestAnInterruptedBootstrapRunsAgain: a node restarted with a bootstrap's mark in its records is not ready,
// whatever its config says, until a clean exchange; then the mark goes in the batch that records ready.
func TestAnInterruptedBootstrapRunsAgain(t *testing.T) {
	a := newTestNode(t, "a", 1, nil)
	for i := range 5 {
		a.write(fmt.Sprint("doc", i), "k", int64(i))
	}
	a.take()
	st := &memStore{client: 2, docs: map[string]*crdt.Doc{}}
	c, err := New(testConfig("b", st), []Record{BootstrapRecord()})
	if err != nil {
		t.Fatal(err)
	}
	b := &testNode{t: t, core: c, store: st, records: map[string][]byte{keyBootstrapping: {}}}
	if b.core.IsReady() {
		t.Fatal("a node with an interrupted bootstrap must not start ready")
	}
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 12)
	if !b.core.IsReady() || len(b.store.docs) != 5 {
		t.Fatalf("after the exchange: ready %v, %d documents", b.core.IsReady(), len(b.store.docs))
	}
	if _, marked := b.records[keyBootstrapping]; marked {
		t.Fatal("the bootstrap's mark outlived the bootstrap")
	}
	if _, ready := b.records[keyReady]; !ready {
		t.Fatal("ready was not recorded")
	}
}
