package update

import (
	"strings"
	"testing"
)

func TestStringRunAppendsInPlaceOnlyToTheWholeRun(t *testing.T) {
	var run StringRuns
	c := NewContentString("ab")
	run.Append(c, NewContentString("c"))
	run.Append(c, NewContentString("d"))
	if c.String() != "abcd" {
		t.Fatalf("appended run %q, want abcd", c)
	}

	// A split leaves the left part a prefix of the buffer: appending to it in place would
	// overwrite the right part.
	right := c.Splice(2).(*ContentString)
	run.Append(c, NewContentString("X"))
	if c.String() != "abX" || right.String() != "cd" {
		t.Fatalf("after splitting and appending to the left part: %q | %q, want abX | cd", c, right)
	}

	// A spliced run that regained the buffer's length by concatenation is still not the buffer.
	d := NewContentString("xyz")
	run.Append(d, NewContentString("w")) // the buffer now holds xyzw
	tail := d.Splice(3)
	d.MergeWith(NewContentString("!")) // "xyz!", as long as the buffer, in memory of its own
	run.Append(d, NewContentString("?"))
	if d.String() != "xyz!?" || tail.(*ContentString).String() != "w" {
		t.Fatalf("appended %q (tail %q), want xyz!? (w)", d, tail.(*ContentString))
	}

	// Two runs growing in turn each stay correct.
	e, f := NewContentString("e"), NewContentString("f")
	for range 100 {
		run.Append(e, NewContentString("e"))
		run.Append(f, NewContentString("f"))
	}
	if e.String() != strings.Repeat("e", 101) || f.String() != strings.Repeat("f", 101) {
		t.Fatalf("alternating runs: %d e, %d f", len(e.String()), len(f.String()))
	}
}

// Typing is appending one character at a time: the run must not be copied at every append,
// also when two people type in two places at once.
func TestStringRunGrowsGeometrically(t *testing.T) {
	var run StringRuns
	c, d := NewContentString("a"), NewContentString("c")
	one, other := NewContentString("b"), NewContentString("d")
	allocs := testing.AllocsPerRun(1, func() {
		for range 10000 {
			run.Append(c, one)
			run.Append(d, other)
		}
	})
	if allocs > 80 {
		t.Fatalf("20000 appends to two runs allocated %.0f times: the runs are copied instead of grown", allocs)
	}
	if len(c.String()) != 20001 || len(d.String()) != 20001 { // AllocsPerRun warms up with one run
		t.Fatalf("runs of %d and %d bytes, want 20001", len(c.String()), len(d.String()))
	}
}

// A server's busy document has many people typing at once, each at the end of a run of their own: ten runs
// grown in turn must all grow in place too.
func TestTenTypistsGrowInPlace(t *testing.T) {
	var run StringRuns
	runs := make([]*ContentString, 10)
	for i := range runs {
		runs[i] = NewContentString("x")
	}
	key := NewContentString("k")
	allocs := testing.AllocsPerRun(1, func() {
		for range 2000 {
			for _, r := range runs {
				run.Append(r, key)
			}
		}
	})
	if allocs > 200 {
		t.Fatalf("20000 appends to ten runs in turn allocated %.0f times: runs are copied instead of grown", allocs)
	}
}
