package replication

import (
	"context"
	"fmt"
	"time"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication/core"
	"github.com/meridian-sync/meridian/replication/wire"
)

// slowReady is how long performing one Ready may take before the worker logs it.
const slowReady = 5 * time.Second

// readyResult is a performed Ready and the digests its applies produced.
type readyResult struct {
	rd      core.Ready
	applied []core.Applied
	err     error // persisting failed: the node must stop
}

// startReady hands the core's next Ready to the worker unless one is in flight. The Ready's tombstones
// are mirrored for IsDeleted at once.
func (n *Node) startReady(ctx context.Context) {
	n.mu.Lock()
	ready := n.mu.core.IsReady()
	var rd core.Ready
	has := !n.inFlight && n.mu.core.HasReady()
	if has {
		rd = n.mu.core.Ready()
		n.inFlight = true
	}
	n.mu.Unlock()
	n.readyNow.Store(ready)
	n.publishReadiness(ready)
	if !has {
		return
	}
	for _, doc := range rd.Delete {
		n.deleted.Store(doc, struct{}{})
	}
	select {
	case n.readyWork <- rd:
	case <-ctx.Done():
	}
}

// finishReady advances the core past a performed Ready (its digests move the hash tree).
func (n *Node) finishReady(res readyResult) error {
	n.inFlight = false
	if res.err != nil {
		return res.err
	}
	n.mu.Lock()
	err := n.mu.core.Advance(res.rd, res.applied)
	n.mu.Unlock()
	if err != nil {
		n.log.Warn("sending repairs back failed", "err", err)
	}
	return nil
}

// readyWorker performs Readys in the order core.Ready documents: apply, persist, delete, send. It holds
// no lock: the Run goroutine keeps stepping messages and taking local writes meanwhile.
func (n *Node) readyWorker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case rd := <-n.readyWork:
			start := time.Now()
			res := readyResult{rd: rd}
			res.applied = n.applyAll(ctx, rd.Apply)
			if err := n.cfg.Storage.Save(rd.Persist); err != nil {
				res.err = fmt.Errorf("meridian/replication: persisting state: %w", err)
			}
			if res.err == nil {
				for _, d := range rd.Delete {
					if err := n.store.DeleteDocument(d); err != nil {
						n.log.Warn("deleting a tombstoned document failed", "doc", d, "err", err)
					}
				}
				for _, m := range rd.Messages {
					if s := n.sender(m.To); s != nil {
						s.enqueue(wire.Encode(m))
					}
				}
			}
			if took := time.Since(start); took > slowReady {
				// Nothing reaches the peers while a Ready is performed (acks, pushes, repairs): say so.
				n.log.Warn("a Ready took long to perform", "took", took, "applies", len(rd.Apply),
					"deletes", len(rd.Delete), "messages", len(rd.Messages), "records", len(rd.Persist))
			}
			select {
			case n.readyDone <- res:
			case <-ctx.Done():
				return
			}
		}
	}
}

// applyAll applies a Ready's peer updates and waits until all are durable (acks in the same Ready
// promise that). The updates of one document are merged into one (Yjs updates merge losslessly, in any
// order); all documents are handed to the server at once, so their writes share group commits.
func (n *Node) applyAll(ctx context.Context, updates []core.DocUpdate) []core.Applied {
	if len(updates) == 0 {
		return nil
	}
	var order []string
	byDoc := map[string][]core.DocUpdate{}
	for _, u := range updates {
		if _, seen := byDoc[u.Doc]; !seen {
			order = append(order, u.Doc)
		}
		byDoc[u.Doc] = append(byDoc[u.Doc], u)
	}
	type outcome struct {
		applied core.Applied
		err     error
		from    string
	}
	results := make(chan outcome, len(order))
	for _, doc := range order {
		us := byDoc[doc]
		update := us[0].Update
		if len(us) > 1 {
			parts := make([][]byte, len(us))
			for i, u := range us {
				parts[i] = u.Update
			}
			merged, err := crdt.MergeUpdates(parts)
			if err != nil {
				n.applyErrors.Add(1)
				n.log.Warn("peer updates do not merge", "doc", doc, "peer", us[0].From, "err", err)
				results <- outcome{applied: core.Applied{Doc: doc}, err: err}
				continue
			}
			update = merged
		}
		from := us[0].From
		n.store.ApplyPeer(doc, update, func(a core.Applied, err error) {
			results <- outcome{applied: a, err: err, from: from}
		})
	}
	applied := make([]core.Applied, 0, len(order))
	for range order {
		select {
		case o := <-results:
			if o.err != nil {
				n.applyErrors.Add(1)
				n.log.Warn("applying a peer update failed", "doc", o.applied.Doc, "peer", o.from, "err", o.err)
				continue
			}
			applied = append(applied, o.applied)
		case <-ctx.Done():
			return applied
		}
	}
	return applied
}
