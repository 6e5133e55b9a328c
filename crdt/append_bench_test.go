package crdt

import "testing"

// appendHistory types n characters at the end of a text, one transaction each, as a server's cold-load history
// looks, and returns the updates.
func appendHistory(tb testing.TB, n int) [][]byte {
	tb.Helper()
	doc := NewDoc(WithClientID(7))
	var updates [][]byte
	doc.OnUpdate(func(u []byte, _ any) { updates = append(updates, u) })
	text := doc.GetText("text")
	for i := range n {
		if err := text.Insert(text.Len(), string(rune('a'+i%26)), nil); err != nil {
			tb.Fatal(err)
		}
	}
	return updates
}

// BenchmarkApplyMergedAppendHistory is a server's cold load: 40k appended characters merged into one update and
// applied to a fresh document. Merging the 40k-item run used to copy the growing string at every step.
func BenchmarkApplyMergedAppendHistory(b *testing.B) {
	merged, err := MergeUpdates(appendHistory(b, 40000))
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if err := NewDoc().ApplyUpdate(merged); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyAppendHistoryOneByOne applies the same history one update at a time, as a live room does.
func BenchmarkApplyAppendHistoryOneByOne(b *testing.B) {
	updates := appendHistory(b, 40000)
	b.ResetTimer()
	for range b.N {
		doc := NewDoc()
		for _, u := range updates {
			if err := doc.ApplyUpdate(u); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestAppendHistoryMergedAndOneByOneAgree(t *testing.T) {
	updates := appendHistory(t, 3000)
	merged, err := MergeUpdates(updates)
	if err != nil {
		t.Fatal(err)
	}
	a, b := NewDoc(), NewDoc()
	if err := a.ApplyUpdate(merged); err != nil {
		t.Fatal(err)
	}
	for _, u := range updates {
		if err := b.ApplyUpdate(u); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := a.EncodeStateAsUpdate(nil), b.EncodeStateAsUpdate(nil); string(got) != string(want) {
		t.Fatalf("merged history and one-by-one history encode differently (%d vs %d bytes)", len(got), len(want))
	}
	if a.GetText("text").Len() != 3000 {
		t.Fatalf("text length %d, want 3000", a.GetText("text").Len())
	}
}
