package replication

import (
	"sync"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication/core"
)

// maxParallelApplies bounds how many documents a Ready's updates are applied to at once.
const maxParallelApplies = 16

// applyAll applies a Ready's peer updates durably before its acks go out. Each ApplyUpdate waits for a
// synced write, so applying them one by one would cap a catch-up after a partition at one fsync per update.
// Instead the updates of one document are merged into one update (Yjs updates merge losslessly, in any
// order), and different documents are applied concurrently, so their writes share group commits.
func (n *Node) applyAll(updates []core.DocUpdate) {
	var order []string
	byDoc := map[string][]core.DocUpdate{}
	for _, u := range updates {
		if _, seen := byDoc[u.Doc]; !seen {
			order = append(order, u.Doc)
		}
		byDoc[u.Doc] = append(byDoc[u.Doc], u)
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, maxParallelApplies)
	for _, doc := range order {
		wg.Add(1)
		slots <- struct{}{}
		go func(us []core.DocUpdate) {
			defer func() { <-slots; wg.Done() }()
			n.applyDoc(us)
		}(byDoc[doc])
	}
	wg.Wait()
}

func (n *Node) applyDoc(us []core.DocUpdate) {
	if len(us) > 1 {
		parts := make([][]byte, len(us))
		for i, u := range us {
			parts[i] = u.Update
		}
		if merged, err := crdt.MergeUpdates(parts); err == nil {
			n.applyOne(core.DocUpdate{Doc: us[0].Doc, Update: merged, From: us[0].From})
			return
		}
		// A part that does not decode: apply them one by one so the others still land.
	}
	for _, u := range us {
		n.applyOne(u)
	}
}

func (n *Node) applyOne(u core.DocUpdate) {
	if err := n.store.ApplyUpdate(u.Doc, u.Update); err != nil {
		n.applyErrors.Add(1)
		n.log.Warn("applying a peer update failed", "doc", u.Doc, "peer", u.From, "err", err)
	}
}
