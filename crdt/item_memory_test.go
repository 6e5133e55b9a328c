package crdt

import (
	"testing"
	"unsafe"

	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// A loaded document is mostly items: their size is most of the engine's memory (the issue's
// memory target is met at 96 bytes, not at 112).
func TestItemIs96Bytes(t *testing.T) {
	if got := unsafe.Sizeof(item{}); got != 96 {
		t.Fatalf("item is %d bytes, want 96: every item of a loaded document pays for a larger one", got)
	}
}

func TestLengthAndFlagsShareOneWordWithoutMixing(t *testing.T) {
	it := newGC(ID{Client: 1, Clock: 5}, 1<<53)
	if it.len() != 1<<53 || !it.isGC() || !it.deleted() {
		t.Fatalf("newGC(2^53): len %d gc %v deleted %v", it.len(), it.isGC(), it.deleted())
	}
	it.set(flagKeep, true)
	it.setLen(3)
	if it.len() != 3 || !it.has(flagKeep) || !it.isGC() || !it.deleted() || it.has(flagOrigin) {
		t.Fatalf("after setLen(3): len %d flags %#x", it.len(), it.lenFlags>>lengthBits)
	}
	it.set(flagKeep, false)
	if it.len() != 3 || it.has(flagKeep) {
		t.Fatalf("clearing a flag changed the length or kept the flag: len %d flags %#x", it.len(), it.lenFlags>>lengthBits)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a length that overflows into the flags was accepted")
		}
	}()
	it.setLen(1 << lengthBits)
}

// Splitting a deleted text item gives two deleted, countable parts whose lengths add up, and
// the right part gains an origin.
func TestSplitKeepsFlagsAndDividesLength(t *testing.T) {
	d := NewDoc(WithClientID(1), WithGC(false))
	text := d.GetText("t")
	must(t, text.Insert(0, "abcdef", nil))
	must(t, text.Delete(0, 6))
	head := text.b.start
	if head.len() != 6 || !head.deleted() || head.has(flagOrigin) {
		t.Fatalf("setup: one deleted item of 6 without origin, got len %d deleted %v", head.len(), head.deleted())
	}
	d.Transact(func(tx *Transaction) {
		r := head.split(tx, 2)
		if head.len() != 2 || r.len() != 4 {
			t.Errorf("split at 2 of 6: lengths %d + %d", head.len(), r.len())
		}
		for _, part := range []*item{head, r} {
			if !part.deleted() || !part.countable() || part.isGC() || part.place != &text.b.list {
				t.Errorf("part %v: deleted %v countable %v gc %v", part.id, part.deleted(), part.countable(), part.isGC())
			}
		}
		if !r.has(flagOrigin) || r.origin != (ID{Client: 1, Clock: 1}) || head.has(flagOrigin) {
			t.Errorf("origins after split: left %v, right %v %v", head.has(flagOrigin), r.has(flagOrigin), r.origin)
		}
	})
}

// Every item of one map key's chain points to the same place, local and remote writes alike,
// and list items point to their type's list place.
func TestItemsOfOneKeyShareTheirPlace(t *testing.T) {
	a := NewDoc(WithClientID(1))
	b := NewDoc(WithClientID(2))
	must(t, a.GetMap("m").Set("k", int64(1)))
	must(t, b.ApplyUpdate(a.EncodeStateAsUpdate(nil)))
	must(t, a.GetMap("m").Set("k", int64(2)))
	must(t, b.GetMap("m").Set("k", int64(3))) // concurrent with a's second write
	must(t, a.GetMap("m").Set("", "empty key"))
	must(t, a.ApplyUpdate(b.EncodeStateAsUpdate(a.StateVector())))
	c := NewDoc(WithClientID(3))
	must(t, c.GetMap("m").Set("j", int64(4))) // a first write to j, concurrent with a's
	must(t, a.GetMap("m").Set("j", int64(5)))
	must(t, a.ApplyUpdate(c.EncodeStateAsUpdate(nil)))
	must(t, a.GetText("t").Insert(0, "xy", nil))

	m := a.GetMap("m").b
	last := m.mapItems["k"]
	chain := 0
	for n := last; n != nil; n = n.left {
		chain++
		if n.place != last.place {
			t.Errorf("item %v of key k has its own place", n.id)
		}
	}
	// Three writes, of which a's two overwritten ones merge into one deleted item.
	if chain != 2 || last.place.parent != m || last.place.key != "k" || !last.hasParentSub() {
		t.Fatalf("chain of k: %d items, place %+v", chain, *last.place)
	}
	j := m.mapItems["j"]
	if j.left == nil || j.left.place != j.place || j.place.key != "j" {
		t.Fatalf("two first writes to j: left %v, places %p %p", j.left, j.place, j.left.place)
	}
	if e := m.mapItems[""]; e == nil || !e.hasParentSub() || e.key() != "" || e.place == last.place {
		t.Fatalf("the empty key is a key of its own: %+v", e)
	}
	if v, ok := a.GetMap("m").Get(""); !ok || v != "empty key" {
		t.Fatalf("Get(\"\") = %v, %v", v, ok)
	}
	tb := a.GetText("t").b
	if it := tb.start; it.place != &tb.list || it.hasParentSub() || it.parent() != tb {
		t.Fatalf("text item: place %p, want the list place %p", it.place, &tb.list)
	}
}

// Re-applying what a document already holds reserves no items: an unused reservation would
// stay allocated as long as the items taken from it live.
func TestKnownStructsReserveNoItems(t *testing.T) {
	a := NewDoc(WithClientID(1))
	must(t, a.GetText("t").Insert(0, "hello", nil))
	must(t, a.GetText("t").Insert(0, "say ", nil))
	must(t, a.GetMap("m").Set("k", int64(1)))
	state := a.EncodeStateAsUpdate(nil)
	u, err := update.Decode(state, false)
	must(t, err)

	b := NewDoc(WithClientID(2))
	if n := countItems(u.Blocks, b.store); n != 3 {
		t.Fatalf("an empty document reserves %d items for 3 item structs", n)
	}
	must(t, b.ApplyUpdate(state))
	if n := countItems(u.Blocks, b.store); n != 0 {
		t.Fatalf("a document holding the update reserves %d items for it", n)
	}
	must(t, a.GetText("t").Insert(0, "!", nil))
	more, err := update.Decode(a.EncodeStateAsUpdate(nil), false)
	must(t, err)
	if n := countItems(more.Blocks, b.store); n != 1 {
		t.Fatalf("an update with one new item reserves %d", n)
	}
}
