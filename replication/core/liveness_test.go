package core

import (
	"testing"

	"github.com/meridian-sync/meridian/replication/wire"
)

func peerStatus(t *testing.T, n *testNode, id string) PeerStatus {
	t.Helper()
	for _, p := range n.core.Status().Peers {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("%s has no peer %s", n.core.ID(), id)
	return PeerStatus{}
}

// TestSilentPeerIsUnreachableAndContactOwesAnExchange: membership keeps saying the peer is up (as
// gossip does for a while during a real cut), yet after ContactTimeoutTicks of silence the peer is
// reported unreachable, no exchange is started towards it, and the first message after the silence
// makes it reachable again and starts an exchange at once.
func TestSilentPeerIsUnreachableAndContactOwesAnExchange(t *testing.T) {
	cfg := func(c *Config) { c.HeartbeatTicks, c.ContactTimeoutTicks, c.ExchangeIntervalTicks = 2, 6, 3 }
	a, b := newTestNode(t, "a", 1, cfg), newTestNode(t, "b", 2, cfg)
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 4)
	if p := peerStatus(t, a, "b"); !p.Reachable || !p.Live {
		t.Fatalf("connected peer reported %+v", p)
	}
	// Idle but connected: heartbeats alone keep both ends reachable.
	for range 20 {
		exchangeUntilQuiet(a, b, 1)
	}
	if p := peerStatus(t, a, "b"); !p.Reachable || p.SilentTicks > 2 {
		t.Fatalf("idle connected peer reported %+v", p)
	}

	// Cut: a ticks and its messages go nowhere.
	var sawRootsReq bool
	for range 10 {
		a.core.Tick()
		for _, m := range a.take() {
			if m.Kind == wire.KindRootsReq {
				sawRootsReq = true
			}
		}
	}
	p := peerStatus(t, a, "b")
	if p.Reachable || !p.Live || p.SilentTicks < 7 {
		t.Fatalf("after 10 silent ticks: %+v, want live in membership but unreachable", p)
	}
	if sawRootsReq {
		// The exchange in flight at the cut may have sent its confirm pass; later ones must not.
		for range 6 {
			a.core.Tick()
			if got := ofKind(a.take(), wire.KindRootsReq); len(got) > 0 {
				t.Fatalf("an exchange was started towards an unreachable peer: %+v", got)
			}
		}
	}
	a.core.Tick()
	if got := ofKind(a.take(), wire.KindHeartbeat); len(got) != 1 {
		t.Fatalf("an unreachable but live peer must still get heartbeats (so contact can resume), got %d", len(got))
	}

	// Heal: one heartbeat from b.
	a.step(wire.Message{Kind: wire.KindHeartbeat, From: "b", To: "a"})
	if p := peerStatus(t, a, "b"); !p.Reachable {
		t.Fatalf("contact regained but %+v", p)
	}
	a.core.Tick()
	if got := ofKind(a.take(), wire.KindRootsReq); len(got) != 1 {
		t.Fatalf("contact regained after a silence must start an exchange at once, got %d RootsReq", len(got))
	}
}

// TestLagIsTheAgeOfTheOldestUnacknowledgedWrite: a write the peer does not acknowledge ages tick by
// tick; the ack resets the lag to zero.
func TestLagIsTheAgeOfTheOldestUnacknowledgedWrite(t *testing.T) {
	a, b := newTestNode(t, "a", 1, nil), newTestNode(t, "b", 2, nil)
	a.core.PeerUp("b")
	b.core.PeerUp("a")
	exchangeUntilQuiet(a, b, 3)
	a.write("d", "k", 1)
	pushes := ofKind(a.take(), wire.KindPush)
	for range 4 {
		a.core.Tick()
	}
	a.write("d", "k2", 2) // younger: the lag follows the oldest
	if p := peerStatus(t, a, "b"); p.LagTicks != 4 || p.QueueDepth != 2 {
		t.Fatalf("lag %d depth %d, want 4 and 2", p.LagTicks, p.QueueDepth)
	}
	b.step(pushes...)
	a.step(ofKind(b.take(), wire.KindAck)...)
	if p := peerStatus(t, a, "b"); p.LagTicks != 0 && p.QueueDepth != 1 {
		t.Fatalf("after the first ack: lag %d depth %d", p.LagTicks, p.QueueDepth)
	}
	b.step(ofKind(a.take(), wire.KindPush)...)
	a.step(ofKind(b.take(), wire.KindAck)...)
	if p := peerStatus(t, a, "b"); p.LagTicks != 0 || p.QueueDepth != 0 {
		t.Fatalf("all acknowledged: lag %d depth %d, want 0", p.LagTicks, p.QueueDepth)
	}
}

// TestStreamBringsBackAPeerMembershipStillHasDown: after a partition gossip may keep a peer failed
// for tens of seconds; the peer is still sent heartbeats, and the first message through brings it
// back up at once (live, reachable, and owed an exchange), without waiting for membership.
func TestStreamBringsBackAPeerMembershipStillHasDown(t *testing.T) {
	a := newTestNode(t, "a", 1, func(c *Config) { c.HeartbeatTicks = 2 })
	a.core.PeerUp("b")
	a.take()
	a.core.PeerDown("b")
	var beats int
	for range 6 {
		a.core.Tick()
		beats += len(ofKind(a.take(), wire.KindHeartbeat))
	}
	if beats == 0 {
		t.Fatal("a peer membership has down must still be sent heartbeats, so the path's return is noticed")
	}
	if p := peerStatus(t, a, "b"); p.Live || p.Reachable {
		t.Fatalf("down peer reported %+v", p)
	}
	a.step(wire.Message{Kind: wire.KindHeartbeat, From: "b", To: "a"})
	if p := peerStatus(t, a, "b"); !p.Live || !p.Reachable {
		t.Fatalf("a message from the peer must bring it up, got %+v", p)
	}
	a.core.Tick()
	if got := ofKind(a.take(), wire.KindRootsReq); len(got) != 1 {
		t.Fatalf("a peer back up is owed an exchange, got %d RootsReq", len(got))
	}
}
