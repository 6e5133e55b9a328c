package replication

import "sync"

// intake holds the durable client writes handed over by LocalUpdate until the Run goroutine takes them
// into the core. Its own small lock is the only one a client write's path touches in replication.
type intake struct {
	mu     sync.Mutex
	writes []DurableWrite
}

func (in *intake) add(w DurableWrite) {
	in.mu.Lock()
	in.writes = append(in.writes, w)
	in.mu.Unlock()
}

func (in *intake) take() []DurableWrite {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := in.writes
	in.writes = nil
	return out
}

// takeLocalWrites moves the handed-over writes into the core, in the order the store numbered them.
func (n *Node) takeLocalWrites() {
	writes := n.intake.take()
	if len(writes) == 0 {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, w := range writes {
		if err := n.mu.core.LocalUpdate(w); err != nil {
			// Refused only for a deleted document or before ready, which the server refuses before
			// storing; a race with a concurrent tombstone lands here, and the tombstone wins anyway.
			n.log.Debug("replication left a durable write to anti-entropy", "doc", w.Doc, "seq", w.Seq, "err", err)
		}
	}
}
