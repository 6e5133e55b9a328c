package sim

import (
	"fmt"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication/core"
)

const docCount = 7

// workload writes like Jepsen's set test: every acknowledged write adds a unique map key, so a lost
// write is attributable; text edits (with deletes) exercise delete sets, which state vectors miss.
type workload struct {
	next    int
	acked   map[string][]string // doc → keys of acknowledged writes
	deleted map[string]bool     // docs some node deleted (their writes are excused)
}

func newWorkload() workload {
	return workload{acked: map[string][]string{}, deleted: map[string]bool{}}
}

// write makes one client edit on node n, as the regional server would: refuse while bootstrapping
// or for a deleted document, edit the store's doc, then hand the update to the core.
func (c *cluster) write(n *node) error {
	if !n.core.IsReady() {
		return nil // the server refuses writes before ready: nothing acknowledged
	}
	docID := fmt.Sprintf("doc-%d", c.rng.IntN(docCount))
	if n.core.IsDeleted(docID) {
		return nil
	}
	if c.rng.IntN(250) == 0 {
		c.work.deleted[docID] = true
		c.report.Deletes++
		c.logf("%s deletes %s", n.id, docID)
		n.store.remove(docID)
		return n.local(core.DurableWrite{Doc: docID, Deleted: true})
	}
	doc := n.store.doc(docID)
	var update []byte
	cancel := doc.OnUpdate(func(u []byte, _ any) { update = u })
	key := ""
	var editErr error
	doc.Transact(func(tx *crdt.Transaction) {
		text := doc.GetText("text")
		switch r := c.rng.IntN(10); {
		case r < 5:
			c.work.next++
			key = fmt.Sprintf("w%d", c.work.next)
			editErr = doc.GetMap("set").Set(key, int64(c.work.next))
		case r < 8 || text.Len() == 0:
			editErr = text.Insert(c.rng.IntN(text.Len()+1), fmt.Sprintf("<%d>", c.rng.IntN(100)), nil)
		default:
			at := c.rng.IntN(text.Len())
			editErr = text.Delete(at, 1+c.rng.IntN(min(3, text.Len()-at)))
		}
	})
	cancel()
	if editErr != nil {
		return fmt.Errorf("%s: client edit of %s: %w", n.id, docID, editErr)
	}
	if update == nil {
		return nil
	}
	if err := n.local(core.DurableWrite{Doc: docID, Update: update}); err != nil {
		return fmt.Errorf("%s: LocalUpdate(%s): %w", n.id, docID, err)
	}
	if key != "" {
		c.work.acked[docID] = append(c.work.acked[docID], key)
		c.report.Writes++
	}
	return nil
}
