package main

import (
	"context"
	"fmt"
	"time"

	"github.com/meridian-sync/meridian/crdt"
)

type healResult struct {
	docs, diverged int
	converge       time.Duration
	sent, missing  uint64
}

func (r healResult) target() uint64 { return 2*r.missing + 64<<10 }

// baseUpdate is the shared history every document starts with.
func baseUpdate() ([]byte, [32]byte, error) {
	d := crdt.NewDoc(crdt.WithClientID(99))
	if err := d.GetMap("m").Set("k", "shared history"); err != nil {
		return nil, [32]byte{}, err
	}
	u := d.EncodeStateAsUpdate(nil)
	digest, err := digestOf(u)
	return u, digest, err
}

// divergentWrite is one write made on top of the base while the nodes were apart.
func divergentWrite(base []byte, i int) ([]byte, error) {
	d := crdt.NewDoc(crdt.WithClientID(uint64(1000 + i)))
	if err := d.ApplyUpdate(base); err != nil {
		return nil, err
	}
	var u []byte
	cancel := d.OnUpdate(func(b []byte, _ any) { u = b })
	err := d.GetMap("m").Set("while-apart", int64(i))
	cancel()
	return u, err
}

// heal runs one heal measurement: docs documents on both nodes, diverged of them written on one.
func heal(docs, diverged int, timeout time.Duration) (healResult, error) {
	res := healResult{docs: docs, diverged: diverged}
	base, digest, err := baseUpdate()
	if err != nil {
		return res, err
	}
	a, b := newUpdateStore(), newUpdateStore()
	for i := range docs {
		id := fmt.Sprintf("doc-%06d", i)
		a.put(id, base, digest)
		b.put(id, base, digest)
	}
	for i := range diverged {
		u, err := divergentWrite(base, i)
		if err != nil {
			return res, err
		}
		res.missing += uint64(len(u))
		if _, err := a.apply(fmt.Sprintf("doc-%06d", i*docs/diverged), u); err != nil {
			return res, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	na, err := startNode(ctx, "eu", a, 1)
	if err != nil {
		return res, err
	}
	nb, err := startNode(ctx, "us", b, 2)
	if err != nil {
		return res, err
	}
	start := time.Now()
	connect(na, nb)
	converged := waitFor(timeout, func() bool { return na.node.Status().TreeTop == nb.node.Status().TreeTop })
	res.converge = time.Since(start)
	if !converged {
		return res, fmt.Errorf("%d docs, %d diverged: not converged within %v", docs, diverged, timeout)
	}
	// Count the exchange's last messages too (acks, the final step 2 the tops already reflect).
	last := bytesSent(na, nb)
	for {
		time.Sleep(300 * time.Millisecond)
		now := bytesSent(na, nb)
		if now == last {
			break
		}
		last = now
	}
	res.sent = last
	return res, nil
}
