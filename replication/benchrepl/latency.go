package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication"
)

type latencyResult struct {
	writes, samples int
	p50, p99, max   time.Duration
}

// realtime measures cross-region visibility: writes at region eu, the time until us and ap applied
// each of them (realtime push over the peer streams; anti-entropy is idle).
func realtime(writes int, every time.Duration) (latencyResult, error) {
	res := latencyResult{writes: writes}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	sentAt := map[string]time.Time{}
	var lat []time.Duration
	observe := func(doc string, at time.Time) {
		mu.Lock()
		if t0, ok := sentAt[doc]; ok {
			lat = append(lat, at.Sub(t0))
		}
		mu.Unlock()
	}
	var nodes []*benchNode
	for i, region := range []string{"eu", "us", "ap"} {
		st := newUpdateStore()
		if region != "eu" {
			st.applied = observe
		}
		n, err := startNode(ctx, region, st, uint64(i+1))
		if err != nil {
			return res, err
		}
		nodes = append(nodes, n)
	}
	connect(nodes...)
	eu := nodes[0]
	// Warm up: every stream dialled and authenticated before measuring.
	if err := writeAt(eu, "warmup", 0); err != nil {
		return res, err
	}
	if !waitFor(10*time.Second, func() bool {
		for _, n := range nodes[1:] {
			if _, ok, _ := n.store.digest("warmup"); !ok {
				return false
			}
		}
		return true
	}) {
		return res, fmt.Errorf("warm-up write never arrived")
	}
	for i := range writes {
		doc := fmt.Sprintf("rt-%06d", i)
		mu.Lock()
		sentAt[doc] = time.Now()
		mu.Unlock()
		if err := writeAt(eu, doc, i); err != nil {
			return res, err
		}
		time.Sleep(every)
	}
	want := 2 * writes
	waitFor(10*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(lat) >= want })
	mu.Lock()
	defer mu.Unlock()
	if len(lat) < want {
		return res, fmt.Errorf("only %d of %d remote applies seen", len(lat), want)
	}
	slices.Sort(lat)
	res.samples = len(lat)
	res.p50, res.p99, res.max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	return res, nil
}

// writeAt performs a client write at n as the server does: store it durably, then hand it to
// replication.
func writeAt(n *benchNode, doc string, v int) error {
	d := crdt.NewDoc(crdt.WithClientID(uint64(5000 + v)))
	var u []byte
	cancel := d.OnUpdate(func(b []byte, _ any) { u = b })
	err := d.GetMap("m").Set("v", int64(v))
	cancel()
	if err != nil {
		return err
	}
	digest, err := n.store.apply(doc, u)
	if err != nil {
		return err
	}
	n.node.LocalUpdate(replication.DurableWrite{Doc: doc, Update: u, Digest: digest, Seq: n.store.nextSeq()})
	return nil
}
