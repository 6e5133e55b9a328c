package client

import (
	"testing"

	"github.com/meridian-sync/meridian/crdt"
)

func TestReplaceTextEditsOnlyTheMiddle(t *testing.T) {
	cases := []struct{ from, to string }{
		{"", "hello"},
		{"hello", ""},
		{"hello world", "hello brave world"},
		{"abcabc", "abc"},
		{"same", "same"},
		{"emoji 😀 here", "emoji 😃 here"}, // differ in the low surrogate only
		{"x😀", "x😀😀"},
	}
	for _, tc := range cases {
		doc := crdt.NewDoc(crdt.WithClientID(1))
		txt := doc.GetText("t")
		_ = txt.Insert(0, tc.from, nil)
		var updates int
		doc.OnUpdate(func([]byte, any) { updates++ })
		doc.Transact(func(*crdt.Transaction) {
			if err := ReplaceText(txt, tc.to); err != nil {
				t.Fatal(err)
			}
		})
		if got := txt.String(); got != tc.to {
			t.Fatalf("%q -> %q: got %q", tc.from, tc.to, got)
		}
		if tc.from == tc.to && updates != 0 {
			t.Fatalf("replacing %q with itself produced an update", tc.from)
		}
	}
}

func TestReplaceTextKeepsConcurrentEdits(t *testing.T) {
	a := crdt.NewDoc(crdt.WithClientID(1))
	_ = a.GetText("t").Insert(0, "line one\nline two\nline three\n", nil)
	b := crdt.NewDoc(crdt.WithClientID(2))
	_ = b.ApplyUpdate(a.EncodeStateAsUpdate(nil))
	_ = b.GetText("t").Insert(0, ">> ", nil) // someone edits the start
	a.Transact(func(*crdt.Transaction) { _ = ReplaceText(a.GetText("t"), "line one\nline 2\nline three\n") })
	_ = a.ApplyUpdate(b.EncodeStateAsUpdate(a.StateVector()))
	if got, want := a.GetText("t").String(), ">> line one\nline 2\nline three\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
