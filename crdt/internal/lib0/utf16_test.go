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

// TestSuffixUTF16MatchesSplitFromTheFront: the suffix computed from the end is the right part of the split from
// the front at every cut, surrogate pairs, non-ASCII and invalid bytes included.
func TestSuffixUTF16MatchesSplitFromTheFront(t *testing.T) {
	for _, s := range []string{"", "hello", "a😀bé", "😀😀", "é\xffx", "\xe2\x82\xac\x80", "\x80\xe2\x82\xac", "a\xed\xa0\x80z", "日本語😀"} {
		total := UTF16Len(s)
		for units := 0; units <= total; units++ {
			_, want, _ := SplitUTF16(s, total-units)
			got, ok := SuffixUTF16(s, units)
			if !ok || got != want {
				t.Errorf("SuffixUTF16(%q, %d) = %q,%v; the split from the front gives %q", s, units, got, ok, want)
			}
		}
		if _, ok := SuffixUTF16(s, total+1); ok {
			t.Errorf("SuffixUTF16(%q, %d) past the start reported ok", s, total+1)
		}
		if off, _ := UTF16SuffixOffset(s, -1); off != -1 {
			t.Errorf("UTF16SuffixOffset(%q, -1) = %d, want -1", s, off)
		}
	}
}

func FuzzSuffixUTF16(f *testing.F) {
	f.Add("a😀bé", 2)
	f.Add("\xe2\x82\xac\x80", 1)
	f.Fuzz(func(t *testing.T, s string, units int) {
		total := UTF16Len(s)
		got, ok := SuffixUTF16(s, units)
		if units < 0 || units > total {
			if ok {
				t.Fatalf("SuffixUTF16(%q, %d) out of range reported ok", s, units)
			}
			return
		}
		if _, want, _ := SplitUTF16(s, total-units); !ok || got != want {
			t.Fatalf("SuffixUTF16(%q, %d) = %q,%v; the split from the front gives %q", s, units, got, ok, want)
		}
	})
}
