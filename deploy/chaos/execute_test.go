package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// quickConfig is a whole run in well under a second against fake nodes.
func quickConfig(nodes []node, expect Expectation) config {
	return config{Project: "p", Network: "wan", Nodes: nodes, Token: "test-token", Expect: expect,
		Docs: 2, WriteInterval: 2 * time.Millisecond, RequestTO: time.Second,
		Cut: "eu", CutFor: 40 * time.Millisecond, Kill: nodes[0].Service, DownFor: 20 * time.Millisecond,
		Settle: 20 * time.Millisecond, ReadyTimeout: 2 * time.Second, ConvergeTimeout: 2 * time.Second, RunID: "t"}
}

func clusterOf(t *testing.T, stores []*fakeStore, regions []string) []node {
	names := []string{"eu-1", "eu-2", "us-1"}
	nodeRegions := []string{"eu", "eu", "us"}
	var out []node
	for i, s := range stores {
		out = append(out, node{Region: nodeRegions[i], Service: names[i], Addr: hostPort(fakeNode(t, s, regions))})
	}
	return out
}

func TestExecutePassesOnAReplicatedCluster(t *testing.T) {
	shared := newFakeStore()
	nodes := clusterOf(t, []*fakeStore{shared, shared, shared}, []string{"eu", "us"})
	fd := &fakeDocker{}
	var log bytes.Buffer
	rep, err := execute(context.Background(), quickConfig(nodes, Replicated), fd, &log)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.verdict.ok() || rep.verdict.Acknowledged == 0 || rep.convergedAfter < 0 {
		t.Fatalf("verdict %+v after %v", rep.verdict, rep.convergedAfter)
	}
	var out bytes.Buffer
	rep.print(&out)
	for _, want := range []string{"lost 0", "unexpected 0", "heal to convergence:", "RESULT: PASS", "SIGKILL eu-1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	if got := strings.Join(fd.mutating(), "\n"); !strings.Contains(got, "network connect --ip") || !strings.Contains(got, "start id-eu-1") {
		t.Errorf("faults not injected and healed:\n%s", got)
	}
}

func TestExecuteFailsWhenANodeLosesAcknowledgedWrites(t *testing.T) {
	shared := newFakeStore()
	shared.dropAfterAck = 7 // acknowledges every 7th write without storing it
	nodes := clusterOf(t, []*fakeStore{shared, shared, shared}, []string{"eu", "us"})
	rep, err := execute(context.Background(), quickConfig(nodes, Replicated), &fakeDocker{}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if rep.verdict.ok() || rep.verdict.Lost == 0 {
		t.Fatalf("lost writes went unnoticed: %+v", rep.verdict)
	}
	var out bytes.Buffer
	rep.print(&out)
	if !strings.Contains(out.String(), "RESULT: FAIL") || !strings.Contains(out.String(), "missing on") {
		t.Errorf("summary:\n%s", out.String())
	}
}

func TestExecuteIsolatedNodesPassAsIsolatedAndAreRefusedAsReplicated(t *testing.T) {
	stores := []*fakeStore{newFakeStore(), newFakeStore(), newFakeStore()}
	nodes := clusterOf(t, stores, []string{"eu"}) // each node sees only its own region, as without replication
	rep, err := execute(context.Background(), quickConfig(nodes, Isolated), &fakeDocker{}, io.Discard)
	if err != nil || !rep.verdict.ok() {
		t.Fatalf("isolated run: %v, %+v", err, rep)
	}
	cfg := quickConfig(nodes, Replicated)
	cfg.ReadyTimeout = 200 * time.Millisecond
	_, err = execute(context.Background(), cfg, &fakeDocker{}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "missing [us]") {
		t.Fatalf("err = %v, want the missing region named", err)
	}
}
