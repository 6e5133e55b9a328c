package sim

import (
	"fmt"
	"sort"
)

// converged checks the convergence criteria of replication.md §5 and names the first one unmet.
func (c *cluster) converged() error {
	for _, n := range c.nodes {
		if !n.up {
			return fmt.Errorf("%s is down", n.id)
		}
		if !n.core.IsReady() {
			return fmt.Errorf("%s is not ready", n.id)
		}
	}
	first := c.nodes[0]
	for _, doc := range c.allDocs() {
		want := c.docState(first, doc)
		for _, n := range c.nodes[1:] {
			if got := c.docState(n, doc); got != want {
				return fmt.Errorf("%s: %s has %s, %s has %s", doc, first.id, want, n.id, got)
			}
		}
	}
	for _, n := range c.nodes {
		for id, d := range n.store.docs {
			if d.HasPending() {
				return fmt.Errorf("%s: %s has pending structs", n.id, id)
			}
		}
		if n.core.TreeTop() != first.core.TreeTop() {
			return fmt.Errorf("tree tops differ: %s %x, %s %x", first.id, first.core.TreeTop(), n.id, n.core.TreeTop())
		}
	}
	return nil
}

// docState is a short description of a node's copy of a document: deleted, absent or its digest.
func (c *cluster) docState(n *node, doc string) string {
	if n.core.IsDeleted(doc) {
		return "tombstone"
	}
	d, ok, _ := n.store.Digest(doc)
	if !ok {
		return "absent"
	}
	return fmt.Sprintf("digest %x", d[:6])
}

func (c *cluster) allDocs() []string {
	set := map[string]bool{}
	for _, n := range c.nodes {
		for id := range n.store.docs {
			set[id] = true
		}
		for i := 0; i < docCount; i++ {
			if id := fmt.Sprintf("doc-%d", i); n.core.IsDeleted(id) {
				set[id] = true
			}
		}
	}
	docs := make([]string, 0, len(set))
	for id := range set {
		docs = append(docs, id)
	}
	sort.Strings(docs)
	return docs
}

// verify checks content once digests agree: equal JSON everywhere, every acknowledged write present
// (unless its document was deleted), and nothing no client wrote.
func (c *cluster) verify() error {
	for _, doc := range c.allDocs() {
		deleted := c.nodes[0].core.IsDeleted(doc)
		if deleted != c.work.deleted[doc] {
			return fmt.Errorf("%s: deleted=%v but the workload deleted it: %v", doc, deleted, c.work.deleted[doc])
		}
		if deleted {
			continue
		}
		want := jsonOf(c.nodes[0].store.docs[doc])
		for _, n := range c.nodes[1:] {
			if got := jsonOf(n.store.docs[doc]); got != want {
				return fmt.Errorf("%s: JSON differs with equal digests:\n%s: %s\n%s: %s", doc, c.nodes[0].id, want, n.id, got)
			}
		}
	}
	for doc, keys := range c.work.acked {
		if c.work.deleted[doc] {
			continue
		}
		written := map[string]bool{}
		for _, k := range keys {
			written[k] = true
		}
		for _, n := range c.nodes {
			d := n.store.docs[doc]
			if d == nil {
				c.report.Lost += len(keys)
				continue
			}
			set := d.GetMap("set")
			for _, k := range keys {
				if !set.Has(k) {
					c.report.Lost++
				}
			}
			for _, k := range set.Keys() {
				if !written[k] {
					c.report.Unexpected++
				}
			}
		}
	}
	if c.report.Lost > 0 || c.report.Unexpected > 0 {
		return fmt.Errorf("acknowledged %d, lost %d, unexpected %d", c.report.Writes, c.report.Lost, c.report.Unexpected)
	}
	return nil
}
