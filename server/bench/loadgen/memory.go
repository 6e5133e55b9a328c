package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/meridian-sync/meridian/crdt"
)

// memoryResult is the server's resident memory cost of idle connections and idle small documents.
type memoryResult struct {
	connections   int
	perConnection int64 // bytes: RSS delta of n connections over 100 documents, divided by n
	perDocument   int64 // bytes: RSS delta of n connections to n documents, less n connections, divided by n
}

// smallDocText is what each document of the per-document scenario holds: a short paragraph.
const smallDocText = "A small idle document: a title, one short paragraph, nothing else."

// runMemory measures two fresh servers: n connections spread over 100 documents (the per-connection cost),
// then n connections each to its own document holding a short text (the per-document cost on top).
func runMemory(ctx context.Context, t target, env benchEnv, n int) (memoryResult, error) {
	res := memoryResult{connections: n}
	perConnTotal, err := idleRSSDelta(ctx, t, env, n, func(i int) string { return "bench-idle-" + strconv.Itoa(i%100) }, false)
	if err != nil {
		return res, err
	}
	res.perConnection = perConnTotal / int64(n)
	perDocTotal, err := idleRSSDelta(ctx, t, env, n, func(i int) string { return "bench-small-" + strconv.Itoa(i) }, true)
	if err != nil {
		return res, err
	}
	res.perDocument = (perDocTotal - perConnTotal) / int64(n)
	env.logf("  %-18s %d idle connections: %s each; %d small documents: %s each", t.name, n,
		kb(res.perConnection), n, kb(res.perDocument))
	return res, nil
}

// idleRSSDelta starts the target, connects n clients (each typing the small text first when write is set),
// lets the server settle and returns its RSS growth.
func idleRSSDelta(ctx context.Context, t target, env benchEnv, n int, docOf func(int) string, write bool) (int64, error) {
	p, err := t.start(env.serverCPUs, env.workDir, "", nil)
	if err != nil {
		return 0, err
	}
	defer p.stop()
	time.Sleep(time.Second)
	base, err := rssBytes(p.pid())
	if err != nil {
		return 0, err
	}
	clients, err := dialMany(ctx, t, p.addr, n, docOf)
	if err != nil {
		return 0, fmt.Errorf("%s: connecting %d clients: %w", t.name, n, err)
	}
	defer closeAll(clients)
	if write {
		for _, c := range clients {
			frame, err := c.smallDocument()
			if err == nil {
				err = c.write(frame)
			}
			if err != nil {
				return 0, err
			}
		}
	}
	// Drain whatever the server sends (echoes, pings are answered by the reader) so no buffer backs up.
	for _, c := range clients {
		go func() { _ = c.readUpdates(func([]byte) {}) }()
	}
	time.Sleep(3 * time.Second) // let writes land and the server's per-connection buffers settle
	after, err := rssBytes(p.pid())
	if err != nil {
		return 0, err
	}
	return after - base, nil
}

// smallDocument returns the frame of an update typing smallDocText into a fresh document.
func (c *benchClient) smallDocument() ([]byte, error) {
	d := crdt.NewDoc(crdt.WithClientID(uint64(c.id) + 1))
	if err := d.GetText("text").Insert(0, smallDocText, nil); err != nil {
		return nil, err
	}
	return c.wire.syncFrame(c.doc, syncUpdate, d.EncodeStateAsUpdate(nil)), nil
}

func kb(b int64) string { return fmt.Sprintf("%.1f KB", float64(b)/1024) }
