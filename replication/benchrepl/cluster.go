package main

import (
	"context"
	"fmt"
	"time"

	"github.com/meridian-sync/meridian/replication"
	"github.com/meridian-sync/meridian/replication/durable"
	"github.com/meridian-sync/meridian/replication/membership"
)

var clusterKey = []byte("meridian bench cluster key, 32 bytes")

// benchNode is a running replication node on loopback with a membership the bench controls.
type benchNode struct {
	node    *replication.Node
	store   *updateStore
	members *membership.Static
	member  membership.Member
	done    chan error
}

func startNode(ctx context.Context, region string, store *updateStore, seed uint64) (*benchNode, error) {
	members := membership.NewStatic()
	n, err := replication.New(replication.Config{
		Region: region, Node: "n1", PeerAddr: "127.0.0.1:0", ClusterKey: clusterKey,
		Membership: members, Storage: durable.NewMemory(), Seed: seed,
		// Only the exchange at first contact is measured, not periodic ones.
		ExchangeInterval: time.Hour,
	}, store)
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", region, err)
	}
	b := &benchNode{node: n, store: store, members: members, done: make(chan error, 1),
		member: membership.Member{ID: n.ID(), Region: region, PeerAddr: n.PeerAddr(), Ready: true, Version: 1}}
	go func() { b.done <- n.Run(ctx) }()
	return b, nil
}

// connect makes every node see every other one alive: the heal.
func connect(nodes ...*benchNode) {
	for _, n := range nodes {
		var others []membership.Member
		for _, o := range nodes {
			if o != n {
				others = append(others, o.member)
			}
		}
		n.members.SetMembers(others...)
	}
}

func bytesSent(nodes ...*benchNode) uint64 {
	var total uint64
	for _, n := range nodes {
		total += n.node.Status().BytesSent
	}
	return total
}

// waitFor polls cond every millisecond until it holds or the timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return cond()
}
