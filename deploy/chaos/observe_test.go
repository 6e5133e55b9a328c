package main

import (
	"errors"
	"slices"
	"testing"

	"github.com/meridian-sync/meridian/crdt"
)

func TestDecodeStateReadsTokensInDocumentOrder(t *testing.T) {
	a, b := crdt.NewDoc(crdt.WithClientID(1)), crdt.NewDoc(crdt.WithClientID(2))
	_ = a.GetArray(tokensRoot).Push("a0", "a1")
	_ = b.GetArray(tokensRoot).Push("b0")
	if err := a.ApplyUpdate(b.EncodeStateAsUpdate(nil)); err != nil {
		t.Fatal(err)
	}
	st, err := decodeState(a.EncodeStateAsUpdate(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := a.GetArray(tokensRoot).ToSlice()
	if len(st.Tokens) != 3 || st.Pending || st.Digest != a.Snapshot().Digest() {
		t.Fatalf("state %+v", st)
	}
	for i, v := range want {
		if st.Tokens[i] != v {
			t.Fatalf("tokens %v, document order %v", st.Tokens, want)
		}
	}
}

func TestDecodeStateReportsPendingAndForeignContent(t *testing.T) {
	d := crdt.NewDoc(crdt.WithClientID(3))
	_ = d.GetArray(tokensRoot).Push("t0")
	sv := d.StateVector()
	_ = d.GetArray(tokensRoot).Push("t1")
	st, err := decodeState(d.EncodeStateAsUpdate(sv)) // t1 without the t0 it follows
	if err != nil {
		t.Fatal(err)
	}
	if !st.Pending || len(st.Tokens) != 0 {
		t.Fatalf("a diff without its base must be pending: %+v", st)
	}

	n := crdt.NewDoc(crdt.WithClientID(4))
	_ = n.GetArray(tokensRoot).Push(int64(5))
	if _, err := decodeState(n.EncodeStateAsUpdate(nil)); !errors.Is(err, errNotAToken) {
		t.Fatalf("number in tokens: err = %v", err)
	}
	m := crdt.NewDoc(crdt.WithClientID(5))
	_ = m.GetMap(tokensRoot).Set("k", "v")
	if _, err := decodeState(m.EncodeStateAsUpdate(nil)); err == nil {
		t.Fatal("a map named tokens must be refused, not read as an array")
	}
	if _, err := decodeState([]byte{0xff, 0xff, 0xff}); err == nil {
		t.Fatal("garbage must be an error")
	}
	if st, err := decodeState([]byte{0, 0}); err != nil || len(st.Tokens) != 0 || !slices.Equal(st.Tokens, nil) {
		t.Fatalf("the empty update: %+v, %v", st, err)
	}
}

// FuzzDecodeState: whatever a node answers, the checker reports an error or a state, never panics.
func FuzzDecodeState(f *testing.F) {
	d := crdt.NewDoc(crdt.WithClientID(9))
	_ = d.GetArray(tokensRoot).Push("eu-1/0/0", "eu-1/0/1")
	_ = d.GetArray(tokensRoot).Delete(0, 1)
	f.Add(d.EncodeStateAsUpdate(nil))
	m := crdt.NewDoc(crdt.WithClientID(10))
	_ = m.GetMap(tokensRoot).Set("k", int64(1))
	f.Add(m.EncodeStateAsUpdate(nil))
	f.Add([]byte{0, 0})
	f.Add([]byte{})
	f.Add([]byte{1, 1, 9, 0, 8, 1, 6, 116, 111, 107, 101, 110, 115, 1, 119, 1, 120, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeState(b)
		if err == nil && st.Tokens == nil && len(b) > 0 && st.Digest == ([32]byte{}) {
			t.Fatal("a decoded state always has a digest")
		}
	})
}
