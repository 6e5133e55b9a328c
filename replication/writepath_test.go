package replication_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/replication"
)

// stallingStore is a docStore whose repair reads block until released: a repair or bootstrap read that
// takes as long as it likes.
var _ replication.Documents = (*stallingStore)(nil)

type stallingStore struct {
	*docStore
	once    sync.Once
	entered chan struct{} // closed when the first repair read starts
	release chan struct{}
}

func (s *stallingStore) Diff(id string, sv []byte) ([]byte, error) {
	s.once.Do(func() { close(s.entered) })
	<-s.release
	return s.docStore.Diff(id, sv)
}

// TestClientWritePathDoesNotWaitOnRepair: while a repair read on a node stalls (a large bootstrap being
// served from disk), the calls a client write makes into replication (Ready, IsDeleted, LocalUpdate)
// return at once, and the stalled repair completes afterwards.
func TestClientWritePathDoesNotWaitOnRepair(t *testing.T) {
	a, b := "eu/a", "us/b"
	c := newTestCluster(t, a, b)
	stalling := &stallingStore{docStore: c.stores[a], entered: make(chan struct{}), release: make(chan struct{})}
	for i := range 50 {
		c.stores[a].write(t, nil, fmt.Sprint("doc", i), "k")
	}
	c.see(a, b)
	c.startWith(a, false, stalling)
	c.see(b, a)
	c.start(b, true) // empty: it bootstraps from a, whose answers stall
	select {
	case <-stalling.entered:
	case <-time.After(15 * time.Second):
		t.Fatal("the bootstrap never asked a for a document")
	}
	start := time.Now()
	for i := range 100 {
		node := c.nodes[a]
		if !node.Ready() || node.IsDeleted("hot") {
			t.Fatal("a is ready and hot is not deleted")
		}
		c.stores[a].write(t, node, "hot", fmt.Sprint("w", i))
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Fatalf("100 client writes took %v while a repair read stalled: the write path waits on repair", took)
	}
	close(stalling.release)
	waitUntil(t, "b bootstraps once the read returns", c.nodes[b].Ready)
	waitUntil(t, "b has the writes made meanwhile", func() bool { return c.stores[b].has("hot", "w99") })
}
