package membership

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"
)

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startSerf(t *testing.T, cluster, id string, key []byte, join []string) *Serf {
	t.Helper()
	s, err := NewSerf(SerfConfig{Cluster: cluster, Self: Member{ID: id, Region: "r", PeerAddr: "127.0.0.1:1", Version: 1},
		GossipAddr: freePort(t), ClusterKey: key, Join: join})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Leave() })
	return s
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestSerfMembershipReadinessAndClusterGuard(t *testing.T) {
	key := []byte("a-cluster-key")
	a := startSerf(t, "prod", "r/a", key, nil)
	addrA := fmt.Sprintf("127.0.0.1:%d", a.serf.LocalMember().Port)
	b := startSerf(t, "prod", "r/b", key, []string{"127.0.0.1:1", addrA})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.JoinLoop(ctx, 100*time.Millisecond)
	waitFor(t, "a and b to see each other", func() bool { return len(a.Members()) == 1 && len(b.Members()) == 1 })
	if err := b.SetReady(true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "b's readiness to reach a", func() bool { ms := a.Members(); return len(ms) == 1 && ms[0].Ready })

	other := startSerf(t, "staging", "r/x", key, nil)
	if _, err := other.serf.Join([]string{addrA}, true); err == nil {
		t.Fatal("a node of another cluster must be refused at merge")
	}
	if len(a.Members()) != 1 {
		t.Fatalf("a lists %d members after a refused merge", len(a.Members()))
	}
}
