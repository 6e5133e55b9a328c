package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/replication"
	"github.com/meridian-sync/meridian/replication/transport"
)

// keyedRegion starts a node of region with replication on under clusterKey; tweak adjusts its cluster config.
func keyedRegion(t *testing.T, region, clusterKey string, tweak func(*ClusterConfig), join ...string) (*testServer, string) {
	t.Helper()
	gossip := freeTCPAddr(t)
	ts := startServer(t, "", func(c *Config) {
		c.Region, c.Node = region, "n1"
		c.Cluster = ClusterConfig{PeerAddr: freeTCPAddr(t), GossipAddr: gossip, Join: join, ClusterKey: clusterKey,
			ExchangeInterval: time.Second}
		if tweak != nil {
			tweak(&c.Cluster)
		}
	})
	return ts, gossip
}

// clusterKeyOp posts one keyring change and decodes the answer.
func (ts *testServer) clusterKeyOp(t *testing.T, tok, op, key string) (int, clusterKeyAnswer) {
	t.Helper()
	body, _ := json.Marshal(clusterKeyRequest{Op: op, Key: key})
	status, raw := ts.request(http.MethodPost, "/v1/admin/cluster-keys", tok, body)
	var a clusterKeyAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("POST %s: %d %s", op, status, raw)
	}
	return status, a
}

// writeAndSeeEverywhere writes a fresh document at from and waits until every region serves it: the writes
// keep replicating.
func writeAndSeeEverywhere(t *testing.T, tok string, step int, from *testServer, regions ...*testServer) {
	t.Helper()
	doc, text := fmt.Sprintf("rotation/step-%d", step), fmt.Sprintf("written at step %d", step)
	if status, body := from.request(http.MethodPost, "/v1/docs/"+doc+"/update", tok, textUpdate(t, uint64(100+step), text)); status != http.StatusOK {
		t.Fatalf("step %d: write: %d %s", step, status, body)
	}
	for _, ts := range regions {
		eventually(t, fmt.Sprintf("step %d's write to reach %s", step, ts.srv.cfg.Region), func() bool {
			status, got := ts.text(t, tok, doc)
			return status == http.StatusOK && got == text
		})
	}
}

func peerAddrOf(ts *testServer) string { return ts.srv.repl.PeerAddr() }

// dialPeer opens a peer stream to ts holding only clusterKey.
func dialPeer(ts *testServer, clusterKey string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key := replication.DeriveKey([]byte(clusterKey))
	c, err := transport.Dial(ctx, peerAddrOf(ts), transport.Identity{Node: "zz/probe", Key: key}, nil)
	if err == nil {
		c.Close()
	}
	return err
}

func TestClusterKeyRotationOnALiveClusterKeepsReplicatingAndCutsOffTheOldKey(t *testing.T) {
	const oldKey, newKey = "the old cluster key, at least 16 bytes", "the new cluster key, at least 16 bytes"
	tok := token(t, "write", false, true, "*")
	eu, euGossip := keyedRegion(t, "eu", oldKey, nil)
	us, _ := keyedRegion(t, "us", oldKey, nil, euGossip)
	ap, _ := keyedRegion(t, "ap", oldKey, nil, euGossip)
	all := []*testServer{eu, us, ap}
	for _, ts := range all {
		eventually(t, "two live peers", func() bool {
			st := ts.cluster(t, tok)
			return st.Ready && len(st.Peers) == 2 && st.Peers[0].Live && st.Peers[1].Live
		})
	}
	writeAndSeeEverywhere(t, tok, 1, eu, us, ap)

	// A writer keeps writing to every region while the keyring changes under it.
	live := startLiveWriter(t, tok, all)
	for step, op := range []struct {
		at      *testServer
		op, key string
	}{
		{us, "install", newKey}, {ap, "use", newKey}, {eu, "remove", oldKey},
	} {
		status, a := op.at.clusterKeyOp(t, tok, op.op, op.key)
		if status != http.StatusOK || a.Report.Nodes != 3 || a.Report.Responses != 3 {
			t.Fatalf("%s: %d %+v", op.op, status, a)
		}
		if a.Fingerprint != replication.Fingerprint(replication.DeriveKey([]byte(op.key))) {
			t.Fatalf("%s answered fingerprint %s", op.op, a.Fingerprint)
		}
		// Every region writes after every step, so each peer stream direction is exercised.
		for i, from := range all {
			writeAndSeeEverywhere(t, tok, 10*(step+2)+i, from, all...)
		}
	}

	live.stopAndCheck(t, tok, all)

	// Every member reports the new key alone, as primary; the key itself appears nowhere.
	status, raw := eu.request(http.MethodGet, "/v1/admin/cluster-keys", tok, nil)
	var list clusterKeyAnswer
	if status != http.StatusOK || json.Unmarshal(raw, &list) != nil {
		t.Fatalf("list: %d %s", status, raw)
	}
	newFP := replication.Fingerprint(replication.DeriveKey([]byte(newKey)))
	if len(list.Report.Keys) != 1 || list.Report.Keys[0].Fingerprint != newFP || list.Report.Keys[0].PrimaryOn != 3 {
		t.Fatalf("keys after rotation: %s", raw)
	}
	for _, ts := range all {
		logs := ts.logs.String()
		if strings.Contains(logs, newKey) || strings.Contains(logs, oldKey) || strings.Contains(string(raw), newKey) {
			t.Fatal("a cluster key leaked into the logs or the API")
		}
	}
	for _, action := range []string{"cluster_key.install", "cluster_key.use", "cluster_key.remove"} {
		found := false
		for _, ts := range all {
			found = found || strings.Contains(ts.logs.String(), "action="+action)
		}
		if !found {
			t.Fatalf("no audit line for %s", action)
		}
	}

	// A node holding only the old key is cut off: gossip refuses it, so it never sees a peer...
	stale, _ := keyedRegion(t, "xx", oldKey, nil, euGossip)
	for _, ts := range all {
		if err := dialPeer(ts, oldKey); !errors.Is(err, transport.ErrAuth) {
			t.Fatalf("a peer stream under the removed key to %s: %v, want ErrAuth", ts.srv.cfg.Region, err)
		}
		if err := dialPeer(ts, newKey); err != nil {
			t.Fatalf("a peer stream under the new key to %s: %v", ts.srv.cfg.Region, err)
		}
	}
	writeAndSeeEverywhere(t, tok, 99, eu, us, ap)
	if st := stale.cluster(t, tok); len(st.Peers) != 0 {
		t.Fatalf("the stale node sees peers: %+v", st.Peers)
	}
	if _, got := stale.text(t, tok, "rotation/step-99"); got != "" {
		t.Fatal("a write reached the node holding only the removed key")
	}
	for _, ts := range all {
		if st := ts.cluster(t, tok); len(st.Peers) != 2 {
			t.Fatalf("%s lists %d peers: the stale node got in", ts.srv.cfg.Region, len(st.Peers))
		}
	}

	// The keyring file keeps the rotation across a restart even though the flag still names the old key.
	dir := us.dir
	us.stop()
	restarted := startServer(t, dir, func(c *Config) {
		c.Region, c.Node = "us", "n1"
		c.Cluster = ClusterConfig{PeerAddr: freeTCPAddr(t), GossipAddr: freeTCPAddr(t), Join: []string{euGossip},
			ClusterKey: oldKey, ExchangeInterval: time.Second}
	})
	if !strings.Contains(restarted.logs.String(), "the cluster key is not in the keyring file") {
		t.Fatal("a restart with a retired --cluster-key must warn that the keyring file is in force")
	}
	writeAndSeeEverywhere(t, tok, 100, eu, restarted, ap)
}

// liveWriter writes a new document to one region after another until stopped, so writes are in flight
// during every rotation step, not only between them.
type liveWriter struct {
	stop    chan struct{}
	done    chan struct{}
	written []string // documents whose write was acknowledged
	failed  []string
}

func startLiveWriter(t *testing.T, tok string, regions []*testServer) *liveWriter {
	t.Helper()
	const max = 400
	updates := make([][]byte, max)
	for i := range updates {
		updates[i] = textUpdate(t, uint64(1000+i), "live")
	}
	w := &liveWriter{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for i := 0; i < max; i++ {
			select {
			case <-w.stop:
				return
			default:
			}
			doc := fmt.Sprintf("rotation/live-%d", i)
			ts := regions[i%len(regions)]
			req, _ := http.NewRequest(http.MethodPost, ts.http.URL+"/v1/docs/"+doc+"/update", bytes.NewReader(updates[i]))
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				w.failed = append(w.failed, doc)
			} else {
				w.written = append(w.written, doc)
			}
			if resp != nil {
				resp.Body.Close()
			}
			time.Sleep(10 * time.Millisecond) // pacing only: the test waits on conditions, never on this
		}
	}()
	return w
}

// stopAndCheck stops the writer and waits until every acknowledged write is in every region.
func (w *liveWriter) stopAndCheck(t *testing.T, tok string, regions []*testServer) {
	t.Helper()
	close(w.stop)
	<-w.done
	if len(w.failed) > 0 {
		t.Fatalf("%d writes refused during the rotation, first %s", len(w.failed), w.failed[0])
	}
	if len(w.written) == 0 {
		t.Fatal("the live writer wrote nothing")
	}
	for _, ts := range regions {
		for _, doc := range w.written {
			eventually(t, doc+" to reach "+ts.srv.cfg.Region, func() bool {
				status, got := ts.text(t, tok, doc)
				return status == http.StatusOK && got == "live"
			})
		}
	}
}
