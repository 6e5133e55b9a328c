package crdt

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// checkList compares a structList with the flat slice it must behave like: same order, same
// indexes, consistent chunk bookkeeping, and find agreeing with a linear search.
func checkList(t *testing.T, l *structList, want []*item) {
	t.Helper()
	if l.len() != len(want) {
		t.Fatalf("len = %d, want %d", l.len(), len(want))
	}
	idx := 0
	for ci, c := range l.chunks {
		if c.first != idx {
			t.Fatalf("chunk %d starts at %d, want %d", ci, c.first, idx)
		}
		if len(c.items) == 0 || len(c.items) > maxChunkLen {
			t.Fatalf("chunk %d holds %d structs", ci, len(c.items))
		}
		idx += len(c.items)
	}
	var got []*item
	l.each(0, func(it *item) { got = append(got, it) })
	if !slices.Equal(got, want) {
		t.Fatal("each visits a different sequence")
	}
	for i, it := range want {
		if l.at(i) != it {
			t.Fatalf("at(%d) differs", i)
		}
		for _, clock := range []uint64{it.id.Clock, it.id.Clock + it.len() - 1} {
			if j, ok := l.find(clock); !ok || j != i {
				t.Fatalf("find(%d) = %d, %v; want %d", clock, j, ok, i)
			}
		}
	}
	if n := len(want); n > 0 {
		end := want[n-1].id.Clock + want[n-1].len()
		if _, ok := l.find(end); ok {
			t.Fatalf("find(%d) past the end succeeded", end)
		}
	}
}

// TestStructListMatchesFlatSlice drives a structList and a flat slice through the same random
// splits (insertions after a struct), merges (deletions of a run) and appends across chunk
// boundaries, and checks after each step that they agree.
func TestStructListMatchesFlatSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	l := &structList{}
	var flat []*item
	var next uint64
	push := func(n uint64) {
		it := &item{id: ID{Client: 1, Clock: next}, lenFlags: n}
		next += n
		l.push(it)
		flat = append(flat, it)
	}
	for range 3 * maxChunkLen {
		push(1 + rng.Uint64N(4))
	}
	checkList(t, l, flat)
	for step := range 4000 {
		i := rng.IntN(len(flat))
		switch op := rng.IntN(10); {
		case op < 5 && flat[i].len() > 1: // split flat[i] in two, as item.split does
			it := flat[i]
			diff := 1 + rng.Uint64N(it.len()-1)
			r := &item{id: ID{Client: 1, Clock: it.id.Clock + diff}, lenFlags: it.len() - diff}
			it.setLen(diff)
			l.insert(i+1, r)
			flat = slices.Insert(flat, i+1, r)
		case op < 8 && i > 0: // merge flat[j..i] into flat[j-1], as tryMergeWithLefts does
			j := max(1, i-rng.IntN(maxChunkLen+40))
			for k := j; k <= i; k++ {
				flat[j-1].setLen(flat[j-1].len() + flat[k].len())
			}
			l.deleteRange(j, i+1)
			flat = slices.Delete(flat, j, i+1)
		default:
			push(1 + rng.Uint64N(3))
		}
		if step%97 == 0 {
			checkList(t, l, flat)
		}
	}
	checkList(t, l, flat)
}

func TestStructListEmptyAndNil(t *testing.T) {
	var none *structList
	if none.len() != 0 {
		t.Fatal("nil list has structs")
	}
	if _, ok := none.find(0); ok {
		t.Fatal("find in a nil list succeeded")
	}
	l := &structList{}
	l.push(&item{id: ID{Client: 7}, lenFlags: 3})
	l.deleteRange(0, 1)
	checkList(t, l, nil)
	l.push(&item{id: ID{Client: 7}, lenFlags: 2})
	checkList(t, l, []*item{l.at(0)})
}
