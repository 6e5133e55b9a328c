package crdt

import (
	"errors"
	"strings"
	"testing"
)

// checkPendingAccounting verifies the pending set's counters against its contents.
func checkPendingAccounting(t testing.TB, d *Doc) {
	t.Helper()
	p := &d.store.pending
	live, bytes := 0, 0
	for _, e := range p.entries {
		if !e.dead {
			live++
			bytes += len(e.update)
		}
	}
	ranges := 0
	for _, rs := range p.dels {
		if len(rs) == 0 {
			t.Fatal("empty range list kept for a client")
		}
		for i := 1; i < len(rs); i++ {
			if rs[i-1].End() >= rs[i].Clock {
				t.Fatalf("pending ranges not sorted and merged: %v", rs)
			}
		}
		ranges += len(rs)
	}
	refs, dead := 0, 0
	for _, h := range p.waiting {
		for _, r := range *h {
			refs++
			if r.e.dead {
				dead++
			}
		}
	}
	if refs != p.refs || dead != p.deadRefs {
		t.Fatalf("heap references: %d/%d, dead %d/%d", refs, p.refs, dead, p.deadRefs)
	}
	if live != p.live || bytes != p.bytes || ranges != p.delRanges {
		t.Fatalf("pending accounting: live %d/%d bytes %d/%d ranges %d/%d", live, p.live, bytes, p.bytes, ranges, p.delRanges)
	}
	if want := bytes + ranges*pendingRangeBytes; d.PendingBytes() != want {
		t.Fatalf("PendingBytes = %d, want %d", d.PendingBytes(), want)
	}
	if d.HasPending() != (d.PendingBytes() > 0) {
		t.Fatalf("HasPending = %v with PendingBytes %d", d.HasPending(), d.PendingBytes())
	}
}

// chainUpdates makes n+1 updates of one client, each inserting size characters after the last:
// every update after the first waits for the one before it.
func chainUpdates(t testing.TB, n, size int) (*Doc, [][]byte) {
	src := NewDoc(WithClientID(7))
	ups := recorder(src)
	txt := src.GetText("t")
	for i := 0; i <= n; i++ {
		must(t, txt.Insert(txt.Len(), strings.Repeat(string(rune('a'+i%26)), size), nil))
	}
	return src, *ups
}

// TestPendingMergeIsLinear holds the cost of updates that cannot integrate to their own size:
// Yjs merges each new one into everything pending (quadratic), which the work counter would show.
func TestPendingMergeIsLinear(t *testing.T) {
	const n, size = 200, 2000
	src, ups := chainUpdates(t, n, size)
	d := NewDoc(WithClientID(1))
	total := 0
	for _, u := range ups[1:] { // the first never arrives (yet): nothing can integrate
		must(t, d.ApplyUpdate(u))
		total += len(u)
	}
	p := &d.store.pending
	if p.live != n {
		t.Fatalf("%d entries pending, want %d", p.live, n)
	}
	checkPendingAccounting(t, d)
	// Each rest is encoded once (v2 is no larger than the v1 input, give or take headers).
	if p.work > 2*total {
		t.Fatalf("pending work %d bytes for %d bytes of updates: not linear", p.work, total)
	}
	// Updates of another client that advance all the time must not retry the waiting entries.
	other := NewDoc(WithClientID(9))
	oups := recorder(other)
	for i := 0; i < 50; i++ {
		must(t, other.GetText("o").Insert(0, "x", nil))
	}
	before := p.work
	for _, u := range *oups {
		must(t, d.ApplyUpdate(u))
	}
	if p.work != before {
		t.Fatalf("unrelated updates cost %d bytes of pending work", p.work-before)
	}
	// The missing update releases the chain: each entry is retried once.
	must(t, d.ApplyUpdate(ups[0]))
	if d.HasPending() || d.GetText("t").String() != src.GetText("t").String() {
		t.Fatalf("chain did not integrate: pending=%v", d.HasPending())
	}
	if p.work > 4*total {
		t.Fatalf("pending work %d bytes for %d bytes of updates: not linear", p.work, total)
	}
	checkPendingAccounting(t, d)
}

// TestPendingWaitsForTheDependencyClock: an entry waiting for an origin far ahead is not retried by
// each advance of that client (Yjs retries it on any advance).
func TestPendingWaitsForTheDependencyClock(t *testing.T) {
	a := NewDoc(WithClientID(3))
	aups := recorder(a)
	for i := 0; i < 40; i++ {
		must(t, a.GetText("t").Insert(a.GetText("t").Len(), "a", nil))
	}
	b := NewDoc(WithClientID(4))
	for _, u := range *aups {
		must(t, b.ApplyUpdate(u))
	}
	bups := recorder(b)
	must(t, b.GetText("t").Insert(40, strings.Repeat("b", 1000), nil)) // origin: a's clock 39
	d := NewDoc(WithClientID(1))
	must(t, d.ApplyUpdate((*bups)[0]))
	p := &d.store.pending
	for _, u := range (*aups)[:39] {
		must(t, d.ApplyUpdate(u))
	}
	if w := p.work; w > 2*len((*bups)[0]) {
		t.Fatalf("entry retried before its origin arrived: work %d", w)
	}
	must(t, d.ApplyUpdate((*aups)[39]))
	if d.HasPending() || d.GetText("t").String() != b.GetText("t").String() {
		t.Fatal("entry did not integrate once its origin arrived")
	}
}

func TestPendingLimitDropsOnlyTheRest(t *testing.T) {
	_, ups := chainUpdates(t, 3, 500)
	d := NewDoc(WithClientID(1))
	d.SetPendingLimit(700)
	must(t, d.ApplyUpdate(ups[1]))
	before := d.PendingBytes()
	if before == 0 || before > 700 {
		t.Fatalf("PendingBytes = %d", before)
	}
	if err := d.ApplyUpdate(ups[2]); !errors.Is(err, ErrPendingLimit) {
		t.Fatalf("err = %v, want ErrPendingLimit", err)
	}
	if d.PendingBytes() != before {
		t.Fatalf("refused rest kept: %d -> %d", before, d.PendingBytes())
	}
	checkPendingAccounting(t, d)
	must(t, d.ApplyUpdate(ups[0])) // integrable: always accepted, and releases ups[1]
	if got := d.GetText("t").Len(); got != 1000 || d.HasPending() {
		t.Fatalf("len %d pending %v", got, d.HasPending())
	}
	// A pending deletion counts too.
	d2 := NewDoc(WithClientID(1))
	d2.SetPendingLimit(0)
	src := NewDoc(WithClientID(5))
	sups := recorder(src)
	must(t, src.GetText("t").Insert(0, "abc", nil))
	must(t, src.GetText("t").Delete(1, 1))
	if err := d2.ApplyUpdate((*sups)[1]); !errors.Is(err, ErrPendingLimit) || d2.HasPending() {
		t.Fatalf("err = %v pending %v", err, d2.HasPending())
	}
}

// FuzzPendingUpdates applies the updates of a few editing clients in an order and with corruptions
// the fuzzer picks: never a panic, the pending accounting always matches its contents, and once
// every update has arrived intact nothing stays pending and the text is the source's.
func FuzzPendingUpdates(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, uint16(0))
	f.Add([]byte{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, uint16(0))
	f.Add([]byte{5, 3, 200, 7, 1, 99, 0, 8}, uint16(1000))
	f.Add([]byte{3, 3, 3, 1, 1}, uint16(64))
	src := NewDoc(WithClientID(1))
	ups := recorder(src)
	peers := []*Doc{NewDoc(WithClientID(2)), NewDoc(WithClientID(3))}
	for _, p := range peers {
		p.OnUpdate(func(u []byte, origin any) {
			if origin == nil {
				*ups = append(*ups, u)
			}
			_ = src.ApplyUpdateWithOrigin(u, "peer")
		})
	}
	texts := []*Text{src.GetText("t"), peers[0].GetText("t"), peers[1].GetText("t")}
	for i := 0; i < 12; i++ {
		d := i % 3
		doc := []*Doc{src, peers[0], peers[1]}[d]
		_ = doc.ApplyUpdate(src.EncodeStateAsUpdate(doc.StateVector()))
		tx := texts[d]
		switch {
		case i%4 == 3 && tx.Len() > 2:
			must(f, tx.Delete(1, 2))
		default:
			must(f, tx.Insert(tx.Len()/2, strings.Repeat(string(rune('a'+i)), 3), nil))
		}
	}
	updates := *ups
	want := src.GetText("t").String()
	f.Fuzz(func(t *testing.T, order []byte, limit uint16) {
		if len(order) > 64 {
			return
		}
		d := NewDoc(WithClientID(99))
		if limit > 0 {
			d.SetPendingLimit(int(limit))
		}
		for i, o := range order {
			u := updates[int(o)%len(updates)]
			if o >= 128 && len(u) > 0 { // corrupt a copy
				c := append([]byte(nil), u...)
				c[i%len(c)] ^= o
				u = c
			}
			_ = d.ApplyUpdate(u)
			checkPendingAccounting(t, d)
		}
		d.SetPendingLimit(-1)
		for _, u := range updates {
			_ = d.ApplyUpdate(u)
			checkPendingAccounting(t, d)
		}
		_ = d.EncodeStateAsUpdate(nil)
		if corrupt := func() bool {
			for _, o := range order {
				if o >= 128 {
					return true
				}
			}
			return false
		}(); !corrupt {
			if d.HasPending() || d.GetText("t").String() != want {
				t.Fatalf("intact updates left pending=%v text %q, want %q", d.HasPending(), d.GetText("t").String(), want)
			}
		}
	})
}

// TestPendingLimitCountsWhatStaysPending: an update that fills a gap and carries more is judged by what is
// left pending after the retries it releases, not by its rest before them.
func TestPendingLimitCountsWhatStaysPending(t *testing.T) {
	src, ups := chainUpdates(t, 2, 2000)
	d := NewDoc(WithClientID(1))
	d.SetPendingLimit(3000)
	must(t, d.ApplyUpdate(ups[1]))
	both, err := MergeUpdates([][]byte{ups[0], ups[2]})
	must(t, err)
	must(t, d.ApplyUpdate(both)) // ups[2] waits for ups[1] until ups[0] releases it: nothing stays
	if d.HasPending() || d.GetText("t").String() != src.GetText("t").String() {
		t.Fatalf("pending %v, len %d", d.HasPending(), d.GetText("t").Len())
	}
	checkPendingAccounting(t, d)
}
