package crdt

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestMalformedUpdateLeavesDocUnchanged(t *testing.T) {
	d := NewDoc(WithClientID(1))
	must(t, d.GetText("t").Insert(0, "hello", nil))
	before := d.EncodeStateAsUpdate(nil)
	for _, bad := range []string{"", "01", "01 01 01 00 04 01 01 74 05 68 65", "ff ff ff ff ff ff ff ff ff ff"} {
		err := d.ApplyUpdate(hx(t, bad))
		if !errors.Is(err, ErrInvalidUpdate) {
			t.Errorf("%q: err = %v, want ErrInvalidUpdate", bad, err)
		}
	}
	if !bytes.Equal(before, d.EncodeStateAsUpdate(nil)) {
		t.Error("document changed")
	}
}

func TestPendingDeleteSetAppliedWhenStructsArrive(t *testing.T) {
	src := NewDoc(WithClientID(1))
	ups := recorder(src)
	must(t, src.GetText("t").Insert(0, "abc", nil))
	must(t, src.GetText("t").Delete(1, 1))
	r := NewDoc(WithClientID(2))
	must(t, r.ApplyUpdate((*ups)[1])) // the deletion first
	if !r.HasPending() {
		t.Fatal("deletion of unknown clocks should be pending")
	}
	must(t, r.ApplyUpdate((*ups)[0])) // yjs retries the pending deletes in the same transaction
	if got := r.GetText("t").String(); got != "ac" || r.HasPending() {
		t.Fatalf("text = %q pending=%v", got, r.HasPending())
	}
}

func TestObserversSeeDeltasAndKeys(t *testing.T) {
	d := NewDoc(WithClientID(1))
	txt, arr, m := d.GetText("t"), d.GetArray("a"), d.GetMap("m")
	must(t, txt.Insert(0, "hello", nil))
	must(t, arr.Insert(0, 1, 2, 3))
	must(t, m.Set("k", "v"))
	var td []Delta
	var ad []ArrayDelta
	var keys map[string]KeyChange
	txt.Observe(func(e *TextEvent) { td = e.Delta() })
	arr.Observe(func(e *ArrayEvent) { ad = e.Delta() })
	m.Observe(func(e *MapEvent) { keys = e.Keys() })
	d.Transact(func(*Transaction) {
		must(t, txt.Delete(1, 2))
		must(t, txt.Insert(1, "E", nil))
		must(t, arr.Delete(0, 1))
		must(t, arr.Push(int64(4)))
		must(t, m.Set("k", "w"))
		must(t, m.Set("n", true))
	})
	// a text insertion lands after deleted neighbours (yjs minimizeAttributeChanges)
	if want := []Delta{{Retain: 1}, {Delete: 2}, {Insert: "E"}}; !reflect.DeepEqual(td, want) {
		t.Errorf("text delta = %#v", td)
	}
	if want := []ArrayDelta{{Delete: 1}, {Retain: 2}, {Insert: []any{int64(4)}}}; !reflect.DeepEqual(ad, want) {
		t.Errorf("array delta = %#v", ad)
	}
	if want := map[string]KeyChange{"k": {Action: "update", OldValue: "v"}, "n": {Action: "add"}}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %#v", keys)
	}
}

func TestFormattingAndDeltaRoundTrip(t *testing.T) {
	d := NewDoc(WithClientID(1))
	txt := d.GetText("t")
	must(t, txt.ApplyDelta([]Delta{{Insert: "hello world"}}))
	must(t, txt.Format(0, 5, map[string]any{"bold": true}))
	must(t, txt.Format(2, 2, map[string]any{"bold": nil}))
	want := []Delta{
		{Insert: "he", Attributes: map[string]any{"bold": true}},
		{Insert: "ll"},
		{Insert: "o", Attributes: map[string]any{"bold": true}},
		{Insert: " world"},
	}
	if got := txt.ToDelta(); !reflect.DeepEqual(got, want) {
		t.Fatalf("delta = %#v", got)
	}
	r := NewDoc(WithClientID(2))
	must(t, r.ApplyUpdate(d.EncodeStateAsUpdate(nil)))
	if got := r.GetText("t").ToDelta(); !reflect.DeepEqual(got, want) {
		t.Fatalf("replica delta = %#v", got)
	}
	if !bytes.Equal(r.EncodeStateAsUpdate(nil), d.EncodeStateAsUpdate(nil)) || r.Snapshot().Digest() != d.Snapshot().Digest() {
		t.Error("replica state differs")
	}
}

func TestIndexErrors(t *testing.T) {
	d := NewDoc(WithClientID(1))
	txt, arr := d.GetText("t"), d.GetArray("a")
	if err := txt.Insert(1, "x", nil); !errors.Is(err, ErrIndexOutOfRange) {
		t.Errorf("text insert: %v", err)
	}
	if err := arr.Delete(0, 1); !errors.Is(err, ErrIndexOutOfRange) {
		t.Errorf("array delete: %v", err)
	}
	if err := arr.Insert(0, struct{}{}); !errors.Is(err, ErrUnsupportedValue) {
		t.Errorf("array insert struct: %v", err)
	}
	if d.EncodeStateVector()[0] != 0 {
		t.Error("failed edits changed the document")
	}
}

func TestUntypedRootInference(t *testing.T) {
	src := NewDoc(WithClientID(1))
	must(t, src.GetText("t").Insert(0, "x", nil))
	must(t, src.GetMap("m").Set("a", int64(1)))
	must(t, src.GetArray("l").Push("y"))
	d := NewDoc()
	must(t, d.ApplyUpdate(src.EncodeStateAsUpdate(nil)))
	if got := []string{d.RootKind("t"), d.RootKind("m"), d.RootKind("l")}; !reflect.DeepEqual(got, []string{"text", "map", "array"}) {
		t.Errorf("kinds = %v", got)
	}
	want := map[string]any{"t": "x", "m": map[string]any{"a": int64(1)}, "l": []any{"y"}}
	if got := d.ToJSON(); !reflect.DeepEqual(got, want) {
		t.Errorf("json = %#v", got)
	}
	if !reflect.DeepEqual(d.RootNames(), []string{"l", "m", "t"}) {
		t.Errorf("names = %v", d.RootNames())
	}
}
