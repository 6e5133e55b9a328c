package core

import (
	"testing"

	"github.com/meridian-sync/meridian/replication/wire"
)

func TestPushIsAppliedAckedAndTrimmed(t *testing.T) {
	a, b := newTestNode(t, "a", 1, nil), newTestNode(t, "b", 2, nil)
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 3) // the first contact runs an exchange; nothing to repair
	a.write("d", "k1", 1)
	pushes := ofKind(a.take(), wire.KindPush)
	if len(pushes) != 1 || pushes[0].Seq != 1 || pushes[0].To != "b" {
		t.Fatalf("want one push of seq 1 to b, got %+v", pushes)
	}
	if _, ok := a.records[logKey(1)]; !ok {
		t.Fatal("the write must be persisted in the log until acknowledged")
	}
	b.step(pushes...)
	if !b.has("d", "k1") {
		t.Fatal("b did not apply the pushed update")
	}
	acks := ofKind(b.take(), wire.KindAck)
	if len(acks) != 1 || acks[0].Next != 2 || acks[0].Gap {
		t.Fatalf("want ack next=2, got %+v", acks)
	}
	a.step(acks...)
	if _, ok := a.records[logKey(1)]; ok {
		t.Fatal("an acknowledged write must be trimmed from the log")
	}
	if st := a.core.Status(); st.Peers[0].QueueDepth != 0 {
		t.Fatalf("queue depth %d after ack", st.Peers[0].QueueDepth)
	}
}

func TestGapIsDetectedAndRefilled(t *testing.T) {
	a, b := newTestNode(t, "a", 1, nil), newTestNode(t, "b", 2, nil)
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 3)
	a.write("d", "k1", 1)
	a.write("d", "k2", 2)
	pushes := ofKind(a.take(), wire.KindPush)
	if len(pushes) != 2 {
		t.Fatalf("want 2 pushes, got %d", len(pushes))
	}
	b.step(pushes[1]) // the first is lost
	if b.has("d", "k2") {
		t.Fatal("a push after a gap must wait for the gap")
	}
	acks := ofKind(b.take(), wire.KindAck)
	if len(acks) != 1 || !acks[0].Gap || acks[0].Next != 1 {
		t.Fatalf("want a gap ack for seq 1, got %+v", acks)
	}
	a.step(acks...)
	resent := ofKind(a.take(), wire.KindPush)
	if len(resent) != 2 || resent[0].Seq != 1 {
		t.Fatalf("want seq 1 and 2 resent, got %+v", resent)
	}
	b.step(resent...)
	if !b.has("d", "k1") || !b.has("d", "k2") {
		t.Fatal("refill did not deliver both writes")
	}
}

func TestDuplicatePushIsIgnored(t *testing.T) {
	a, b := newTestNode(t, "a", 1, nil), newTestNode(t, "b", 2, nil)
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 3)
	a.write("d", "k1", 1)
	p := ofKind(a.take(), wire.KindPush)
	b.step(p...)
	b.step(p...)
	if st := b.core.Status(); st.Stats.PushesApplied != 1 || st.Stats.PushesDuplicate != 1 {
		t.Fatalf("applied %d duplicate %d, want 1 and 1", st.Stats.PushesApplied, st.Stats.PushesDuplicate)
	}
}

func TestOverflowDropsQueueAndLeavesItToAntiEntropy(t *testing.T) {
	small := func(c *Config) { c.QueueMaxBytes = 200 }
	a, b := newTestNode(t, "a", 1, small), newTestNode(t, "b", 2, nil)
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 3)
	a.core.PeerDown("b") // b is away: its queue grows
	for i := 0; i < 20; i++ {
		a.write("d", string(rune('a'+i)), int64(i))
	}
	st := a.core.Status()
	if st.Peers[0].Overflows == 0 || st.Peers[0].QueueBytes > 200 {
		t.Fatalf("queue must overflow and stay bounded: %+v", st.Peers[0])
	}
	if len(a.records) > 10 {
		t.Fatalf("the dropped queue must be deleted from storage, %d records remain", len(a.records))
	}
	a.take()
	a.core.PeerUp("b")
	exchangeUntilQuiet(a, b, 10)
	for i := 0; i < 20; i++ {
		if !b.has("d", string(rune('a'+i))) {
			t.Fatalf("write %d missing after anti-entropy", i)
		}
	}
	if a.core.TreeTop() != b.core.TreeTop() {
		t.Fatal("trees differ after repair")
	}
}
