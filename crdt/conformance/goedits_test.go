package conformance

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"testing"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/crdt/conformance/oracle"
)

// TestGoEditsMatchYjs makes random local edits in Go and requires that Yjs, applying the updates the
// Go document emitted, and a second Go document doing the same, both end exactly where the editor is.
func TestGoEditsMatchYjs(t *testing.T) {
	o := oracle.Start(t)
	failing, updates := 0, 0
	seeds := seedsToRun(t)
	for _, seed := range seeds {
		problem, n := goEditsSeed(o, seed)
		updates += n
		if problem == "" {
			continue
		}
		failing++
		t.Errorf("seed %d: %s\n%s", seed, problem, replayHint("TestGoEditsMatchYjs", seed))
		if failing == maxFailingSeeds {
			t.Fatalf("stopping after %d failing seeds", failing)
		}
	}
	t.Logf("%d seeds, %d Go updates checked against Yjs", len(seeds), updates)
}

// goEdits is one seed's record: the editor's emitted updates and its final state.
type goEdits struct {
	gc       bool
	clientID uint64
	updates  [][]byte
	final    oracle.DocState
}

// goEditsSeed runs one seed; it describes the first difference ("" when all agree) and counts the
// updates the editor emitted.
func goEditsSeed(o *oracle.Oracle, seed int64) (problem string, updates int) {
	edits, err := runGoEdits(seed)
	if err != nil {
		return err.Error(), 0
	}
	return compareGoEdits(o, edits), len(edits.updates)
}

func compareGoEdits(o *oracle.Oracle, edits *goEdits) string {
	yjs, err := o.Apply(oracle.ApplyRequest{Updates: edits.updates, GC: edits.gc, Roots: goEditRoots})
	if err != nil {
		return fmt.Sprintf("Yjs could not apply the Go updates: %v", err)
	}
	if diffs := stateDifferences(edits.final, *yjs); len(diffs) > 0 {
		return fmt.Sprintf("the Go editor (gc=%v, %d updates) differs from Yjs applying its updates:\n%s", edits.gc, len(edits.updates), joinLines(diffs))
	}
	receiver, err := applyInGo(edits)
	if err != nil {
		return err.Error()
	}
	if diffs := stateDifferences(receiver, *yjs); len(diffs) > 0 {
		return fmt.Sprintf("a Go document applying the editor's updates (gc=%v) differs from Yjs:\n%s", edits.gc, joinLines(diffs))
	}
	return ""
}

// runGoEdits performs the seed's random transactions on a fresh Go document.
func runGoEdits(seed int64) (edits *goEdits, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the Go engine panicked while editing: %v\n%s", p, debug.Stack())
		}
	}()
	rng := rand.New(rand.NewPCG(uint64(seed), 0x60_ed175))
	edits = &goEdits{gc: rng.IntN(2) == 0, clientID: randomClientID(rng)}
	doc, err := newDocWithRoots(edits.clientID, edits.gc, goEditRoots)
	if err != nil {
		return nil, err
	}
	doc.OnUpdate(func(update []byte, _ any) { edits.updates = append(edits.updates, bytes.Clone(update)) })
	editor := newGoEditor(rng, doc)
	transactions := 5 + rng.IntN(26)
	for i := range transactions {
		var editErr error
		doc.Transact(func(*crdt.Transaction) {
			for range 1 + rng.IntN(3) {
				if editErr = editor.edit(); editErr != nil {
					return
				}
			}
		})
		if editErr != nil {
			return nil, fmt.Errorf("transaction %d: %w", i, editErr)
		}
	}
	edits.final, err = goState(doc)
	return edits, err
}

// applyInGo applies the editor's updates to a second Go document.
func applyInGo(edits *goEdits) (state oracle.DocState, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the Go engine panicked while applying: %v\n%s", p, debug.Stack())
		}
	}()
	doc, err := newDocWithRoots(edits.clientID+1, edits.gc, goEditRoots)
	if err != nil {
		return state, err
	}
	for i, u := range edits.updates {
		if err := doc.ApplyUpdate(u); err != nil {
			return state, fmt.Errorf("a second Go document could not apply update %d (% x): %w", i, u, err)
		}
	}
	return goState(doc)
}
