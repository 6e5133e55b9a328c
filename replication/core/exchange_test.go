package core

import (
	"errors"
	"fmt"
	"testing"

	"github.com/meridian-sync/meridian/replication/wire"
)

func TestExchangeRepairsBothSidesWithOnlyMissingStructs(t *testing.T) {
	a, b := newTestNode(t, "a", 1, nil), newTestNode(t, "b", 2, nil)
	for i := 0; i < 30; i++ { // a shared history both hold
		a.write(fmt.Sprint("doc", i), "base", 1)
	}
	for i := 0; i < 30; i++ {
		id := fmt.Sprint("doc", i)
		if err := b.store.doc(id).ApplyUpdate(a.store.doc(id).EncodeStateAsUpdate(nil)); err != nil {
			t.Fatal(err)
		}
	}
	b2, err := New(testConfig("b", b.store), nil) // restart b so its tree is rebuilt from the store
	if err != nil {
		t.Fatal(err)
	}
	b.core = b2
	a.write("doc3", "only-a", 2) // divergence while apart: one document each way
	b.write("doc7", "only-b", 3)
	a.take()
	b.take()

	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 6)
	if !b.has("doc3", "only-a") || !a.has("doc7", "only-b") {
		t.Fatal("the exchange did not repair both directions")
	}
	if a.core.TreeTop() != b.core.TreeTop() {
		t.Fatal("tree tops differ after the exchange")
	}
	for _, n := range []*testNode{a, b} {
		st := n.core.Status().Stats
		if st.RepairsRequested > 2 {
			t.Errorf("%s asked to repair %d documents; only 2 differ", n.core.ID(), st.RepairsRequested)
		}
		// Each repair carries one missing struct and the (empty) delete set: far below a full copy.
		if st.RepairBytesSent > 200 {
			t.Errorf("%s sent %d repair bytes for two single-key differences", n.core.ID(), st.RepairBytesSent)
		}
	}
}

func TestConfirmPassIgnoresWritesInFlight(t *testing.T) {
	a, b := newTestNode(t, "a", 1, nil), newTestNode(t, "b", 2, nil)
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 3)
	base := a.core.Status().Stats.RepairsRequested
	a.write("d", "k", 1)
	push := ofKind(a.take(), wire.KindPush)
	a.core.startExchange("b") // roots differ now: the push is still in flight
	b.step(a.take()...)
	a.step(b.take()...)
	b.step(push...) // the push lands during the confirm pause
	a.step(b.take()...)
	exchangeUntilQuiet(a, b, 3)
	if got := a.core.Status().Stats.RepairsRequested - base; got != 0 {
		t.Fatalf("an in-flight write caused %d repairs", got)
	}
}

func TestTombstoneWinsAndNeverResurrects(t *testing.T) {
	a, b := newTestNode(t, "a", 1, nil), newTestNode(t, "b", 2, nil)
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 3)
	a.write("d", "k", 1)
	exchangeUntilQuiet(a, b, 2)
	a.core.PeerDown("b")
	b.core.PeerDown("a")
	if err := a.local(DurableWrite{Doc: "d", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	b.write("d", "late", 2) // concurrent with the delete, on the other side of a partition
	a.take()
	b.take()
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 8)
	for _, n := range []*testNode{a, b} {
		if !n.core.IsDeleted("d") || n.store.docs["d"] != nil {
			t.Fatalf("%s: the tombstone must win over the concurrent write", n.core.ID())
		}
	}
	if err := b.local(DurableWrite{Doc: "d", Update: []byte{0, 0}}); !errors.Is(err, ErrDeleted) {
		t.Fatalf("a write to a deleted document: err %v, want ErrDeleted", err)
	}
	// A repair answer for the deleted document is ignored.
	b.step(wire.Message{Kind: wire.KindSyncStep2, From: "a", Doc: "d", Data: []byte{0, 0}})
	if b.store.docs["d"] != nil {
		t.Fatal("a repair brought a deleted document back")
	}
}

func TestBootstrapBecomesReadyOnlyAfterACleanExchange(t *testing.T) {
	a := newTestNode(t, "a", 1, nil)
	for i := 0; i < 40; i++ {
		a.write(fmt.Sprint("doc", i), "k", int64(i))
	}
	a.take()
	boot := func(c *Config) { c.Bootstrap, c.MaxDocsPerExchange = true, 8 }
	b := newTestNode(t, "b", 2, boot)
	if b.core.IsReady() {
		t.Fatal("an empty node must not start ready")
	}
	if err := b.local(DurableWrite{Doc: "x"}); !errors.Is(err, ErrNotReady) {
		t.Fatalf("a write while bootstrapping: err %v, want ErrNotReady", err)
	}
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	for i := 0; i < 40 && !b.core.IsReady(); i++ {
		exchangeUntilQuiet(a, b, 1)
	}
	if !b.core.IsReady() {
		t.Fatal("b never became ready")
	}
	if len(b.store.docs) != 40 || a.core.TreeTop() != b.core.TreeTop() {
		t.Fatalf("b became ready holding %d of 40 documents", len(b.store.docs))
	}
	if _, ok := b.records[keyReady]; !ok {
		t.Fatal("readiness must be persisted, or a restart would bootstrap again")
	}
}

func TestRestartFromPersistedRecords(t *testing.T) {
	a, b := newTestNode(t, "a", 1, nil), newTestNode(t, "b", 2, nil)
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 3)
	a.core.PeerDown("b")
	a.write("d", "k1", 1)
	a.write("d", "k2", 2)
	a.take()
	var saved []Record
	for k, v := range a.records {
		saved = append(saved, Record{Key: k, Value: v})
	}
	restarted, err := New(testConfig("a", a.store), saved)
	if err != nil {
		t.Fatal(err)
	}
	a.core = restarted
	st := a.core.Status()
	if st.Seq != 2 || len(st.Peers) != 1 || st.Peers[0].QueueDepth != 2 {
		t.Fatalf("restart lost the queue: %+v", st)
	}
	a.core.PeerUp("b")
	pushes := ofKind(a.take(), wire.KindPush)
	if len(pushes) != 2 {
		t.Fatalf("want the 2 queued writes pushed after restart, got %d", len(pushes))
	}
	if _, err := New(testConfig("a", a.store), []Record{{Key: "log/x", Value: nil}}); !errors.Is(err, ErrCorruptState) {
		t.Fatalf("corrupt record: err %v, want ErrCorruptState", err)
	}
}

func TestBadMessagesAreErrorsNotPanics(t *testing.T) {
	a := newTestNode(t, "a", 1, nil)
	bad := []wire.Message{
		{Kind: wire.KindPush, From: "b", Seq: 0, Floor: 0},
		{Kind: wire.KindPush, From: "b", Seq: 2, Floor: 5},
		{Kind: wire.KindNodesReq, From: "b", Level: 1, Indexes: []uint32{99}},
		{Kind: wire.KindNodesReq, From: "b", Level: 9, Indexes: []uint32{0}},
		{Kind: wire.KindKeysReq, From: "b", Indexes: []uint32{1 << 20}},
		{Kind: wire.Kind(77), From: "b"},
		{Kind: wire.KindAck}, // no sender
	}
	for _, m := range bad {
		if err := a.core.Step(m); err == nil {
			t.Errorf("%+v accepted", m)
		}
	}
}

// FuzzStep feeds decoded peer messages to a node with a little state: no input may panic it.
func FuzzStep(f *testing.F) {
	f.Add(wire.Encode(wire.Message{Kind: wire.KindPush, Seq: 1, Floor: 1, Doc: "d", Data: []byte{0, 0}}))
	f.Add(wire.Encode(wire.Message{Kind: wire.KindSyncStep1, Doc: "d", Data: []byte{0}, Reply: true}))
	f.Add(wire.Encode(wire.Message{Kind: wire.KindKeysReq, Indexes: []uint32{3}}))
	f.Add(wire.Encode(wire.Message{Kind: wire.KindSubtreeKeysReq, Subtrees: []wire.NodeRef{{Level: 2, Index: 1}}}))
	f.Add(wire.Encode(wire.Message{Kind: wire.KindKeyHashes, KeyHashes: []wire.KeyHash{{Doc: "d", Hash: 1}}}))
	f.Add(wire.Encode(wire.Message{Kind: wire.KindSyncBatch1, Syncs: []wire.DocSync{{Doc: "d", StateVector: []byte{0}}}}))
	f.Add(wire.Encode(wire.Message{Kind: wire.KindSyncReply, Xid: 1, Syncs: []wire.DocSync{{Update: []byte{0, 0}}}}))
	f.Add(wire.Encode(wire.Message{Kind: wire.KindSyncBatch2, Xid: 1, Syncs: []wire.DocSync{{Doc: "d", Update: []byte{0, 0}, StateVector: []byte{0}}}}))
	f.Add(wire.Encode(wire.Message{Kind: wire.KindRoots, Xid: 1, Fanout: 2, Depth: 4, Hashes: make([]uint64, 2)}))
	f.Add(wire.Encode(wire.Message{Kind: wire.KindAck, Next: 1 << 62, Gap: true}))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := wire.Decode(b, wire.DefaultLimits)
		if err != nil {
			return
		}
		n := newTestNode(t, "a", 1, nil)
		n.core.PeerUp("b")
		n.write("d", "k", 1)
		n.core.startExchange("b")
		m.From = "b"
		if m.Kind == wire.KindRoots || m.Kind == wire.KindNodes || m.Kind == wire.KindKeyHashes || m.Kind == wire.KindSyncBatch2 || m.Kind == wire.KindSyncReply {
			for xid := range n.core.exchanges {
				m.Xid = xid
			}
		}
		_ = n.core.Step(m)
		for n.core.HasReady() {
			rd := n.core.Ready()
			_ = n.core.Advance(rd, n.store.appliedDigests(rd))
		}
		n.core.Tick()
	})
}
