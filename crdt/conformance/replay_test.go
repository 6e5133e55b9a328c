package conformance

import (
	"fmt"
	"runtime/debug"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/crdt/conformance/oracle"
)

// newDocWithRoots returns a Go document whose roots are typed before any update arrives, as the Yjs
// replicas of a session and the oracle's Apply do it.
func newDocWithRoots(clientID uint64, gc bool, roots map[string]string) (*crdt.Doc, error) {
	doc := crdt.NewDoc(crdt.WithClientID(clientID), crdt.WithGC(gc))
	for name, kind := range roots {
		switch kind {
		case "text":
			doc.GetText(name)
		case "array":
			doc.GetArray(name)
		case "map":
			doc.GetMap(name)
		case "xml":
			doc.GetXmlFragment(name)
		default:
			return nil, fmt.Errorf("root %q has unknown kind %q", name, kind)
		}
	}
	return doc, nil
}

// unusedClientID returns a client id no replica of s uses. A replaying document must not share an id
// with the updates it integrates: Yjs (and a faithful engine) would treat those as its own.
func unusedClientID(s *oracle.Session) uint64 {
	used := map[uint64]bool{}
	for _, o := range s.Origins {
		used[o] = true
	}
	for _, r := range s.Replicas {
		used[r.ClientID] = true
	}
	id := uint64(4_000_000_007)
	for used[id] {
		id++
	}
	return id
}

// replayInGo applies the first n updates a replica integrated, in its order, to a fresh Go document.
// A panic inside the engine becomes an error, so one bad seed cannot end the whole suite.
func replayInGo(s *oracle.Session, r oracle.Replica, gc bool, n int) (doc *crdt.Doc, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the Go engine panicked: %v\n%s", p, debug.Stack())
		}
	}()
	doc, err = newDocWithRoots(unusedClientID(s), gc, s.Roots)
	if err != nil {
		return nil, err
	}
	for step, index := range r.Applied[:n] {
		if err := doc.ApplyUpdate(s.Updates[index]); err != nil {
			return nil, fmt.Errorf("ApplyUpdate of update %d (step %d of replica %d) failed: %w", index, step, r.ClientID, err)
		}
	}
	return doc, nil
}

// firstDivergence finds the shortest prefix of r.Applied after which the Go document's v1 state
// differs from what Yjs reaches on the same prefix (binary search: a divergence tends to persist).
// It returns the step whose update made the difference, or -1 if no prefix differs.
func firstDivergence(o *oracle.Oracle, s *oracle.Session, r oracle.Replica, gc bool) int {
	differs := func(n int) bool {
		updates := make([][]byte, n)
		for i, index := range r.Applied[:n] {
			updates[i] = s.Updates[index]
		}
		want, err := o.Apply(oracle.ApplyRequest{Updates: updates, GC: gc, Roots: s.Roots})
		if err != nil {
			return true
		}
		doc, err := replayInGo(s, r, gc, n)
		if err != nil {
			return true
		}
		got, err := goState(doc)
		return err != nil || len(stateDifferences(got, *want)) > 0
	}
	lo, hi := 0, len(r.Applied) // invariant: prefix lo agrees, prefix hi differs
	if !differs(hi) {
		return -1
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if differs(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi - 1
}
