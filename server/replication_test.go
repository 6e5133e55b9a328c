package server

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/replication"
)

const testClusterKey = "test cluster key of at least 16 bytes"

func freeTCPAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startRegion starts an in-process node of region with replication on, joining the gossip addresses.
func startRegion(t *testing.T, region string, join ...string) (ts *testServer, gossipAddr string) {
	t.Helper()
	gossipAddr = freeTCPAddr(t)
	ts = startServer(t, "", func(c *Config) {
		c.Region, c.Node = region, "n1"
		c.Cluster = ClusterConfig{PeerAddr: freeTCPAddr(t), GossipAddr: gossipAddr, Join: join,
			ClusterKey: testClusterKey, ExchangeInterval: time.Second}
	})
	return ts, gossipAddr
}

// eventually polls cond every 20 ms for up to 20 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (ts *testServer) text(t *testing.T, tok, doc string) (int, string) {
	status, body := ts.request(http.MethodGet, "/v1/docs/"+doc, tok, nil)
	var v struct{ T string }
	_ = json.Unmarshal(body, &v)
	return status, v.T
}

func (ts *testServer) cluster(t *testing.T, tok string) replication.Status {
	t.Helper()
	status, body := ts.request(http.MethodGet, "/v1/cluster", tok, nil)
	var st replication.Status
	if status != http.StatusOK || json.Unmarshal(body, &st) != nil {
		t.Fatalf("GET /v1/cluster: %d %s", status, body)
	}
	return st
}

func TestRegionsReplicateWritesDeletesAndBootstrapANewRegion(t *testing.T) {
	tok := token(t, "write", false, true, "*")
	eu, euGossip := startRegion(t, "eu")
	us, _ := startRegion(t, "us", euGossip)
	for _, ts := range []*testServer{eu, us} {
		eventually(t, "a live peer in /v1/cluster", func() bool {
			st := ts.cluster(t, tok)
			return st.Ready && len(st.Peers) == 1 && st.Peers[0].Live
		})
	}

	// /v1/cluster lists every member as this node sees it, itself first, in the shape the cluster page reads.
	status, body := eu.request(http.MethodGet, "/v1/cluster", tok, nil)
	var answer struct {
		Regions []string
		Members []struct {
			Node, Region string
			Self, Live   bool
			Ready        bool
		}
	}
	if status != http.StatusOK || json.Unmarshal(body, &answer) != nil || len(answer.Members) != 2 ||
		!answer.Members[0].Self || answer.Members[0].Region != "eu" || answer.Members[1].Region != "us" ||
		!answer.Members[1].Live || strings.Join(answer.Regions, ",") != "eu,us" {
		t.Fatalf("GET /v1/cluster members: %d %s", status, body)
	}

	// A write in either region is visible in the other.
	if status, body := eu.request(http.MethodPost, "/v1/docs/notes/update", tok, textUpdate(t, 1, "hello")); status != http.StatusOK {
		t.Fatalf("write at eu: %d %s", status, body)
	}
	eventually(t, "eu's write at us", func() bool { _, text := us.text(t, tok, "notes"); return text == "hello" })
	if status, body := us.request(http.MethodPost, "/v1/docs/other/update", tok, textUpdate(t, 2, "from us")); status != http.StatusOK {
		t.Fatalf("write at us: %d %s", status, body)
	}
	eventually(t, "us's write at eu", func() bool { _, text := eu.text(t, tok, "other"); return text == "from us" })

	// A region joining empty copies everything before it reports ready.
	ap, _ := startRegion(t, "ap", euGossip)
	eventually(t, "ap ready", func() bool {
		status, _ := ap.request(http.MethodGet, "/readyz", "", nil)
		return status == http.StatusOK
	})
	for doc, want := range map[string]string{"notes": "hello", "other": "from us"} {
		if _, text := ap.text(t, tok, doc); text != want {
			t.Fatalf("ap became ready with %q = %q, want %q", doc, text, want)
		}
	}

	// A delete spreads everywhere and is permanent: writes to the document are refused.
	if status, body := eu.request(http.MethodDelete, "/v1/docs/notes", tok, nil); status != http.StatusOK {
		t.Fatalf("delete at eu: %d %s", status, body)
	}
	for _, ts := range []*testServer{us, ap} {
		eventually(t, "the delete everywhere", func() bool { status, _ := ts.text(t, tok, "notes"); return status != http.StatusOK })
	}
	if status, _ := us.request(http.MethodPost, "/v1/docs/notes/update", tok, textUpdate(t, 3, "late")); status == http.StatusOK {
		t.Fatal("a write to a document deleted in the cluster was accepted")
	}

	// Metrics carry replication's.
	_, metrics := eu.request(http.MethodGet, "/metrics", "", nil)
	if !strings.Contains(string(metrics), "meridian_replication_ready 1") {
		t.Fatal("replication metrics are not registered")
	}
}

func TestClusterFlagsNeedEachOther(t *testing.T) {
	for name, c := range map[string]ClusterConfig{
		"join without peer addr":   {Join: []string{"127.0.0.1:7946"}},
		"peer addr without gossip": {PeerAddr: "127.0.0.1:7947", ClusterKey: testClusterKey},
		"short key":                {PeerAddr: "127.0.0.1:7947", GossipAddr: "127.0.0.1:7946", ClusterKey: "short"},
	} {
		cfg := Config{Listen: ":0", DataDir: t.TempDir(), Dev: true, Cluster: c}
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	alone := Config{Listen: ":0", DataDir: t.TempDir(), Dev: true}
	if err := alone.Validate(); err != nil {
		t.Fatalf("a node without cluster flags must run alone: %v", err)
	}
}
