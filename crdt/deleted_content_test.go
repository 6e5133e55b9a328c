package crdt

import (
	"slices"
	"testing"

	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// collectedItems returns the store's deleted items whose content was collected (not GC structs).
func collectedItems(d *Doc) []*item {
	var out []*item
	for _, client := range d.store.order {
		d.store.clients[client].each(0, func(it *item) {
			if !it.isGC() && it.deleted() && it.content.Ref() == update.RefDeleted {
				out = append(out, it)
			}
		})
	}
	return out
}

// deletedStructLengths decodes a v1 update and returns the length every ContentDeleted
// struct declares on the wire, in encoding order.
func deletedStructLengths(t *testing.T, b []byte) []uint64 {
	t.Helper()
	u, err := update.Decode(b, false)
	must(t, err)
	var out []uint64
	for _, blk := range u.Blocks {
		for _, st := range blk.Structs {
			if st.Kind == update.KindItem && st.Content.Ref() == update.RefDeleted {
				out = append(out, st.Length)
			}
		}
	}
	return out
}

// A collected item's content carries nothing its item does not: every collected item of a
// document, collected locally or loaded so, holds the one same content, and its length on the
// wire is the item's.
func TestCollectedItemsShareOneContent(t *testing.T) {
	a := NewDoc(WithClientID(1))
	text := a.GetText("t")
	must(t, text.Insert(0, "hello brave new world", nil))
	must(t, text.Delete(0, 6)) // "hello "
	must(t, text.Delete(6, 4)) // "new " (of "brave new world")
	must(t, text.Delete(0, 1)) // "b", adjacent to the first run: the two runs merge
	must(t, a.GetMap("m").Set("k", "first"))
	must(t, a.GetMap("m").Set("k", "second")) // the first write is deleted and collected

	b := NewDoc(WithClientID(2))
	must(t, b.ApplyUpdate(a.EncodeStateAsUpdate(nil)))
	for name, d := range map[string]*Doc{"edited": a, "loaded": b} {
		items := collectedItems(d)
		if len(items) < 3 {
			t.Fatalf("%s: %d collected items, want the text's two runs and the map entry", name, len(items))
		}
		for _, it := range items[1:] {
			if it.content != items[0].content {
				t.Errorf("%s: collected item %v has a content of its own", name, it.id)
			}
		}
		var lengths []uint64
		for _, it := range items {
			lengths = append(lengths, it.len())
		}
		if got := deletedStructLengths(t, d.EncodeStateAsUpdate(nil)); !slices.Equal(got, lengths) {
			t.Errorf("%s: encoded deleted lengths %v, the items' are %v", name, got, lengths)
		}
	}
	if got, want := b.EncodeStateAsUpdate(nil), a.EncodeStateAsUpdate(nil); string(got) != string(want) {
		t.Errorf("the loaded document encodes differently:\n got %x\nwant %x", got, want)
	}
	if s := text.String(); s != "rave world" {
		t.Fatalf("text %q", s)
	}
}

// Splitting a collected item (a concurrent insert lands inside a deleted run) and encoding from
// an offset inside one give each part its own length, while the content stays shared.
func TestSplitCollectedItemKeepsLengthsApart(t *testing.T) {
	a := NewDoc(WithClientID(1))
	must(t, a.GetText("t").Insert(0, "abcdefgh", nil))
	base := a.EncodeStateAsUpdate(nil)
	b := NewDoc(WithClientID(2))
	must(t, b.ApplyUpdate(base))
	must(t, a.GetText("t").Delete(0, 8)) // one collected item of 8
	must(t, b.GetText("t").Insert(3, "X", nil))
	must(t, a.ApplyUpdate(b.EncodeStateAsUpdate(a.StateVector()))) // X's origin c splits a's run

	items := collectedItems(a)
	if len(items) != 2 || items[0].len() != 3 || items[1].len() != 5 || items[0].content != items[1].content {
		t.Fatalf("after the split: %d collected items %v", len(items), items)
	}
	if got := deletedStructLengths(t, a.EncodeStateAsUpdate(nil)); !slices.Equal(got, []uint64{3, 5}) {
		t.Fatalf("encoded deleted lengths %v, want [3 5]", got)
	}
	// From a state vector inside the second part: its write starts at an offset.
	sv := StateVector{1: 5}
	if got := deletedStructLengths(t, a.EncodeStateAsUpdate(sv)); !slices.Equal(got, []uint64{3}) {
		t.Fatalf("encoded from clock 5: deleted lengths %v, want [3]", got)
	}
	if s := a.GetText("t").String(); s != "X" {
		t.Fatalf("text %q", s)
	}
}
