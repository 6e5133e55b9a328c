package update

import (
	"slices"
	"testing"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

func TestContentStringSplice(t *testing.T) {
	cases := []struct {
		in          string
		at          uint64
		left, right string
	}{
		{"hello", 2, "he", "llo"},
		{"a😀b", 1, "a", "😀b"},
		{"a😀b", 3, "a😀", "b"},
		// Inside the surrogate pair: both halves become U+FFFD, lengths stay 2 and 2.
		{"a😀b", 2, "a\uFFFD", "\uFFFDb"},
	}
	for _, c := range cases {
		s := NewContentString(c.in)
		r := s.Splice(c.at).(*ContentString)
		if s.String() != c.left || r.String() != c.right {
			t.Errorf("Splice(%q, %d) = %q | %q, want %q | %q", c.in, c.at, s, r, c.left, c.right)
		}
		if s.Len()+r.Len() != uint64(lib0.UTF16Len(c.in)) || s.Len() != c.at {
			t.Errorf("Splice(%q, %d): lengths %d + %d", c.in, c.at, s.Len(), r.Len())
		}
	}
	s := NewContentString("ab")
	if !s.MergeWith(NewContentString("😀")) || s.String() != "ab😀" || s.Len() != 4 {
		t.Fatalf("MergeWith: %q len %d", s, s.Len())
	}
	if s.MergeWith(&ContentAny{Values: []any{int64(1)}}) {
		t.Fatal("a string merged with an any list")
	}
}

// Splitting and then growing the left part must not overwrite the right part.
func TestContentAnySpliceDoesNotAlias(t *testing.T) {
	c := &ContentAny{Values: []any{int64(1), int64(2), int64(3)}}
	right := c.Splice(1).(*ContentAny)
	c.MergeWith(&ContentAny{Values: []any{"x"}})
	if !slices.Equal(right.Values, []any{int64(2), int64(3)}) || !slices.Equal(c.Values, []any{int64(1), "x"}) {
		t.Fatalf("left %v right %v", c.Values, right.Values)
	}
}

func TestMergeWithKinds(t *testing.T) {
	d := &ContentDeleted{N: 2}
	if !d.MergeWith(&ContentDeleted{N: 3}) || d.N != 5 {
		t.Fatalf("deleted merge: %d", d.N)
	}
	j := &ContentJSON{Values: []any{nil}}
	if !j.MergeWith(&ContentJSON{Values: []any{true}}) || j.Len() != 2 {
		t.Fatal("json merge")
	}
	for _, c := range []Content{&ContentBinary{}, &ContentEmbed{}, &ContentFormat{}, &ContentType{}, &ContentDoc{}} {
		if c.MergeWith(c.Copy()) {
			t.Errorf("ref %d merged", c.Ref())
		}
		if c.Len() != 1 {
			t.Errorf("ref %d has length %d", c.Ref(), c.Len())
		}
	}
	if (&ContentFormat{}).Countable() || (&ContentDeleted{N: 1}).Countable() || !(&ContentType{}).Countable() {
		t.Fatal("countable flags")
	}
}

func TestDocOptionsNormalisedLikeYjs(t *testing.T) {
	obj := func(kv ...any) lib0.Object {
		o := lib0.NewObject()
		for i := 0; i < len(kv); i += 2 {
			o.Set(kv[i].(string), kv[i+1])
		}
		return o
	}
	cases := []struct {
		opts     any
		wantKeys []string
		guid     string
	}{
		{obj("autoLoad", true), []string{"autoLoad"}, "g"},
		{obj("meta", "m", "gc", int64(0), "autoLoad", "yes", "shouldLoad", true), []string{"gc", "autoLoad", "meta"}, "g"},
		{obj("gc", true, "autoLoad", false, "meta", nil), nil, "g"},
		{obj("guid", "other"), nil, "other"},
		{int64(5), nil, "g"},
	}
	for _, c := range cases {
		d, err := normalizeDocOpts("g", c.opts)
		if err != nil {
			t.Fatalf("%v: %v", c.opts, err)
		}
		o := d.Opts.(lib0.Object)
		if !slices.Equal(o.Keys(), c.wantKeys) && !(len(c.wantKeys) == 0 && o.Len() == 0) || d.GUID != c.guid {
			t.Errorf("%v: keys %v guid %q, want %v %q", c.opts, o.Keys(), d.GUID, c.wantKeys, c.guid)
		}
	}
	for _, bad := range []any{nil, lib0.Undefined, obj("guid", int64(1))} {
		if _, err := normalizeDocOpts("g", bad); err == nil {
			t.Errorf("options %v accepted", bad)
		}
	}
}

func TestDeleteSet(t *testing.T) {
	ds := NewDeleteSet()
	ds.Add(1, 5, 2)
	ds.Add(1, 0, 1)
	ds.Add(1, 1, 1)
	ds.Add(1, 6, 4)
	ds.Add(2, 3, 1)
	ds.SortAndMerge()
	if want := []Range{{0, 2}, {5, 5}}; !slices.Equal(ds.Clients[1], want) {
		t.Fatalf("ranges %v, want %v", ds.Clients[1], want)
	}
	for _, c := range []struct {
		id   ID
		want bool
	}{{ID{Client: 1, Clock: 0}, true}, {ID{Client: 1, Clock: 2}, false}, {ID{Client: 1, Clock: 9}, true}, {ID{Client: 1, Clock: 10}, false}, {ID{Client: 2, Clock: 3}, true}, {ID{Client: 3, Clock: 0}, false}} {
		if ds.Contains(c.id) != c.want {
			t.Errorf("Contains(%v) = %v", c.id, !c.want)
		}
	}
	other := NewDeleteSet()
	other.Add(1, 2, 3)
	m := MergeDeleteSets(ds, other)
	if want := []Range{{0, 10}}; !slices.Equal(m.Clients[1], want) {
		t.Fatalf("merged %v", m.Clients[1])
	}
	if ds.IsEmpty() || !NewDeleteSet().IsEmpty() {
		t.Fatal("IsEmpty")
	}
}

func lib0BigInt(v int64) any { return lib0.BigInt(v) }
