package crdt

import (
	"regexp"
	"runtime"
	"strings"
	"testing"
)

var blockLine = regexp.MustCompile(`(?m)^client (\d+): \d+ struct\(s\) from clock (\d+)$`)

// blocksOf lists an update's client blocks as "client@first clock", in the update's order.
func blocksOf(t *testing.T, u []byte) string {
	t.Helper()
	desc, err := DescribeUpdate(u, false)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, m := range blockLine.FindAllStringSubmatch(desc, -1) {
		blocks = append(blocks, m[1]+"@"+m[2])
	}
	return strings.Join(blocks, " ")
}

// TestObserverEditGoesIntoTheUpdateBeingCleanedUp pins Yjs's behaviour when an observer edits during a
// transaction's cleanup: the observer's transaction runs at once and queues behind, and the update the first
// transaction emits (written from its beforeState against the store's current state) carries the observer's
// struct as well as its own. Both updates are emitted, in order.
func TestObserverEditGoesIntoTheUpdateBeingCleanedUp(t *testing.T) {
	remote := NewDoc(WithClientID(7))
	if err := remote.GetText("t").Insert(0, "abc", nil); err != nil {
		t.Fatal(err)
	}
	incoming := remote.EncodeStateAsUpdate(nil)

	d := NewDoc(WithClientID(1))
	if err := d.GetText("t").Insert(0, "x", nil); err != nil { // client 1 is known before the remote update
		t.Fatal(err)
	}
	txt := d.GetText("t")
	reacted := false
	txt.Observe(func(e *TextEvent) {
		if !reacted {
			reacted = true
			if err := txt.Insert(0, "!", nil); err != nil {
				t.Error(err)
			}
		}
	})
	var emitted []string
	d.OnUpdate(func(u []byte, _ any) { emitted = append(emitted, blocksOf(t, u)) })
	if err := d.ApplyUpdate(incoming); err != nil {
		t.Fatal(err)
	}
	// Clients in descending order; the remote update's block, then the observer's insert of client 1 at clock 1.
	want := []string{"7@0 1@1", "1@1"}
	if strings.Join(emitted, " | ") != strings.Join(want, " | ") {
		t.Fatalf("updates emitted: %q, want %q", emitted, want)
	}
}

// TestTransactionTracksOnlyTouchedClients: a document that has seen many clients (a long-lived document
// gathers one per editing session) keeps a keystroke's work to the clients it touches: its update holds that
// client alone, and it allocates a few hundred bytes, not a structure per client of the document (writing the
// update from whole state vectors allocated a 2,000-entry map per keystroke here).
func TestTransactionTracksOnlyTouchedClients(t *testing.T) {
	d := NewDoc(WithClientID(1))
	for c := range 2000 {
		other := NewDoc(WithClientID(uint64(100 + c)))
		if err := other.GetText("t").Insert(0, "y", nil); err != nil {
			t.Fatal(err)
		}
		if err := d.ApplyUpdate(other.EncodeStateAsUpdate(nil)); err != nil {
			t.Fatal(err)
		}
	}
	var last []byte
	d.OnUpdate(func(u []byte, _ any) { last = u })
	type_ := func() {
		if err := d.GetText("t").Insert(0, "k", nil); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(100, type_)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 100 {
		type_()
	}
	runtime.ReadMemStats(&after)
	if got := blocksOf(t, last); !strings.HasPrefix(got, "1@") || strings.Contains(got, " ") {
		t.Fatalf("a keystroke's update holds the blocks %q, want client 1's alone", got)
	}
	if allocs > 10 {
		t.Fatalf("a keystroke in a document of 2,000 clients allocated %.0f times", allocs)
	}
	if perKeystroke := (after.TotalAlloc - before.TotalAlloc) / 100; perKeystroke > 4096 {
		t.Fatalf("a keystroke in a document of 2,000 clients allocated %d bytes", perKeystroke)
	}
}
