package crdt

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// checkMarkers fails the test unless every search marker of b points at an item of b's list
// with exactly its index of visible units before it: a stale marker would silently send an
// edit to the wrong place.
func checkMarkers(t testing.TB, b *branch, when string) {
	t.Helper()
	if b.markers == nil {
		return
	}
	before := map[*item]int{}
	idx := 0
	for n := b.start; n != nil; n = n.right {
		before[n] = idx
		if n.visible() {
			idx += int(n.len())
		}
	}
	ms := b.markers
	if ms.localEdit {
		t.Fatalf("%s: a local edit left the markers in self-adjusting mode", when)
	}
	for i := 0; i < ms.count; i++ {
		m := ms.list[i]
		want, ok := before[m.item]
		if !ok {
			t.Fatalf("%s: marker %d points at an item outside the list", when, i)
		}
		if m.index != want {
			t.Fatalf("%s: marker %d says %d units before its item, the list says %d", when, i, m.index, want)
		}
	}
}

// TestMarkersStayConsistentOnTraces replays the small real traces (which jump between several
// places) and checks every marker after every transaction, then the final text.
func TestMarkersStayConsistentOnTraces(t *testing.T) {
	for _, name := range []string{"sveltecomponent", "friendsforever_flat"} {
		t.Run(name, func(t *testing.T) {
			tr := loadTrace(t, name)
			d := NewDoc(WithClientID(1))
			txt := d.GetText("text")
			for i, patches := range tr.Txns {
				d.Transact(func(*Transaction) {
					for _, p := range patches {
						if p.Del > 0 {
							must(t, txt.Delete(p.Pos, p.Del))
						}
						if p.Ins != "" {
							must(t, txt.Insert(p.Pos, p.Ins, nil))
						}
					}
				})
				if i%7 == 0 || i == len(tr.Txns)-1 {
					checkMarkers(t, txt.b, name)
				}
			}
			if txt.b.markers == nil || txt.b.markers.count < 2 {
				t.Errorf("a trace that jumps around used %v markers, want several", txt.b.markers)
			}
			if got := txt.String(); got != tr.EndContent {
				t.Fatal("replay diverged from the trace's endContent")
			}
		})
	}
}

// TestMarkersFollowRandomEdits edits a text and an array at a few moving hot spots, with
// remote updates from a peer mixed in, against a plain slice model; the markers are checked
// after every step.
func TestMarkersFollowRandomEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	d, peer := NewDoc(WithClientID(1)), NewDoc(WithClientID(2))
	txt, arr := d.GetText("t"), d.GetArray("a")
	var model []rune
	var arrModel []any
	spots := []int{0, 0, 0}
	for step := range 4000 {
		s := rng.IntN(len(spots))
		spots[s] = max(0, min(len(model), spots[s]+rng.IntN(9)-4))
		if rng.IntN(40) == 0 {
			spots[s] = rng.IntN(len(model) + 1)
		}
		pos := spots[s]
		switch op := rng.IntN(10); {
		case op < 5:
			w := []rune("xyz"[:1+rng.IntN(3)])
			must(t, txt.Insert(pos, string(w), nil))
			model = slices.Insert(model, pos, w...)
		case op < 8 && pos < len(model):
			l := 1 + rng.IntN(min(len(model)-pos, 5))
			must(t, txt.Delete(pos, l))
			model = slices.Delete(model, pos, pos+l)
		case op == 8:
			i := rng.IntN(len(arrModel) + 1)
			if rng.IntN(3) == 0 {
				must(t, arr.Push(int64(step)))
				i = len(arrModel)
			} else {
				must(t, arr.Insert(i, int64(step)))
			}
			arrModel = slices.Insert(arrModel, i, any(int64(step)))
			if len(arrModel) > 1 && rng.IntN(2) == 0 {
				j := rng.IntN(len(arrModel) - 1)
				must(t, arr.Delete(j, 2))
				arrModel = slices.Delete(arrModel, j, j+2)
			}
		default:
			// a remote insertion at the start: resets the markers, which must then rebuild
			must(t, peer.ApplyUpdate(d.EncodeStateAsUpdate(peer.StateVector())))
			must(t, peer.GetText("t").Insert(0, "r", nil))
			must(t, d.ApplyUpdate(peer.EncodeStateAsUpdate(d.StateVector())))
			model = slices.Insert(model, 0, 'r')
		}
		checkMarkers(t, txt.b, "text")
		checkMarkers(t, arr.b, "array")
		if step%100 == 0 && txt.String() != string(model) {
			t.Fatalf("step %d: text %q, model %q", step, txt.String(), string(model))
		}
	}
	if txt.String() != string(model) {
		t.Fatalf("text %q, model %q", txt.String(), string(model))
	}
	if got := arr.ToSlice(); !slices.Equal(got, arrModel) {
		t.Fatalf("array %v, model %v", got, arrModel)
	}
}
