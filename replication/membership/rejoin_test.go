package membership

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// rejoinNode is one serf member with a fixed gossip address, so it can be stopped abruptly (no
// graceful leave: a crash or a cut) and started again as the same member.
type rejoinNode struct {
	t           *testing.T
	id, addr    string
	join        []string
	serf        *Serf
	stopJoining context.CancelFunc
}

func (n *rejoinNode) start() {
	n.t.Helper()
	s, err := NewSerf(SerfConfig{Cluster: "rejoin", Self: Member{ID: n.id, Region: "r", PeerAddr: "127.0.0.1:1", Version: 1},
		GossipAddr: n.addr, ClusterKey: []byte("rejoin test key"), Join: n.join,
		ReconnectTimeout: time.Second, ReconnectInterval: 200 * time.Millisecond})
	if err != nil {
		n.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go s.JoinLoop(ctx, 200*time.Millisecond)
	n.serf, n.stopJoining = s, cancel
}

// crash stops gossip without leaving: the others see the member fail, then reap it.
func (n *rejoinNode) crash() {
	n.stopJoining()
	if err := n.serf.serf.Shutdown(); err != nil {
		n.t.Fatal(err)
	}
}

func (n *rejoinNode) lists(id string) bool {
	for _, st := range n.serf.Statuses() {
		if st.ID == id {
			return true
		}
	}
	return false
}

func waitWithin(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < d {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out after %v waiting for %s", d, what)
	return 0
}

// TestReapedMembersRejoin: a member away longer than the reconnect timeout is reaped by the others
// (it vanishes from their member list), and when it comes back it is a member again within seconds:
// through its --join when it has one, and through the others' memory of it when it has none (the
// cluster's first node).
func TestReapedMembersRejoin(t *testing.T) {
	a := &rejoinNode{t: t, id: "r/a", addr: freePort(t)}
	b := &rejoinNode{t: t, id: "r/b", addr: freePort(t), join: []string{a.addr}}
	c := &rejoinNode{t: t, id: "r/c", addr: freePort(t), join: []string{a.addr}}
	nodes := []*rejoinNode{a, b, c}
	for _, n := range nodes {
		n.start()
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			n.stopJoining()
			_ = n.serf.serf.Shutdown()
		}
	})
	allSeeTwo := func() bool {
		for _, n := range nodes {
			if len(n.serf.Members()) != 2 {
				return false
			}
		}
		return true
	}
	waitWithin(t, 15*time.Second, "three members", allSeeTwo)

	for _, tc := range []struct {
		away   *rejoinNode
		others []*rejoinNode
		how    string
	}{
		{c, []*rejoinNode{a, b}, "through its --join"},
		{a, []*rejoinNode{b, c}, "through the others' memory (it has no --join)"},
	} {
		tc.away.crash()
		waitWithin(t, 30*time.Second, tc.away.id+" reaped by the others", func() bool {
			for _, o := range tc.others {
				if o.lists(tc.away.id) {
					return false
				}
			}
			return true
		})
		tc.away.start()
		took := waitWithin(t, 10*time.Second, fmt.Sprintf("%s to rejoin %s", tc.away.id, tc.how), allSeeTwo)
		t.Logf("%s rejoined %s %v after it came back", tc.away.id, tc.how, took.Round(time.Millisecond))
	}
}
