package lib0

import "testing"

func TestUTF16Len(t *testing.T) {
	cases := map[string]int{"": 0, "hello": 5, "hé": 2, "a😀b": 4, "😀😀": 4, "\ufeff": 1, "\xff": 1, "a\xed\xa0\x80": 4}
	for s, want := range cases {
		if got := UTF16Len(s); got != want {
			t.Errorf("UTF16Len(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestUTF16Offset(t *testing.T) {
	s := "a😀bé"
	cases := []struct {
		units, off int
		split      bool
	}{{0, 0, false}, {1, 1, false}, {2, 1, true}, {3, 5, false}, {4, 6, false}, {5, 8, false}, {6, -1, false}, {-1, -1, false}}
	for _, c := range cases {
		off, split := UTF16Offset(s, c.units)
		if off != c.off || split != c.split {
			t.Errorf("UTF16Offset(%q, %d) = %d,%v; want %d,%v", s, c.units, off, split, c.off, c.split)
		}
	}
}

func TestSplitUTF16ReplacesSplitPairs(t *testing.T) {
	l, r, ok := SplitUTF16("a😀b", 2)
	if !ok || l != "a\uFFFD" || r != "\uFFFDb" {
		t.Fatalf("got %q %q %v", l, r, ok)
	}
	if UTF16Len(l)+UTF16Len(r) != 4 {
		t.Fatal("split changed the UTF-16 length")
	}
	l, r, ok = SplitUTF16("héllo", 2)
	if !ok || l != "hé" || r != "llo" {
		t.Fatalf("got %q %q", l, r)
	}
	if _, _, ok := SplitUTF16("ab", 3); ok {
		t.Fatal("out-of-range split reported ok")
	}
}

func TestToValidUTF8ReplacesPerByte(t *testing.T) {
	if got := ToValidUTF8("a\xed\xa0\x80b"); got != "a\uFFFD\uFFFD\uFFFDb" {
		t.Fatalf("got %q", got)
	}
	if got := ToValidUTF8("ok😀"); got != "ok😀" {
		t.Fatalf("valid input changed: %q", got)
	}
}
