package crdt

import (
	"fmt"
	"testing"
)

// BenchmarkBusyRoom applies updates the way a server's room does: 100 documents, ten people typing at the end
// of their own text in each, every update applied to the server's copy with an update handler (the broadcast)
// attached. Each typist's run keeps growing, so any per-update cost in the length of a run, or in the number
// of clients a document has seen, shows as ns/op growing with b.N.
func BenchmarkBusyRoom(b *testing.B) {
	const docs, typists, rounds = 100, 10, 200
	updates := make([][]byte, 0, docs*typists*rounds)
	type typist struct {
		text    *Text
		pending []byte
	}
	all := make([]*typist, docs*typists)
	for i := range all {
		d := NewDoc(WithClientID(uint64(i + 1)))
		ty := &typist{text: d.GetText("text")}
		d.OnUpdate(func(u []byte, _ any) { ty.pending = u })
		all[i] = ty
	}
	for seq := range rounds {
		for i, ty := range all {
			if err := ty.text.Insert(ty.text.Len(), fmt.Sprintf("~%06d%07d~", i, seq), nil); err != nil {
				b.Fatal(err)
			}
			updates = append(updates, ty.pending)
		}
	}
	newServerDocs := func() []*Doc {
		server := make([]*Doc, docs)
		for i := range server {
			server[i] = NewDoc()
			server[i].OnUpdate(func([]byte, any) {})
		}
		return server
	}
	server := newServerDocs()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		j := i % len(updates)
		if j == 0 && i > 0 {
			b.StopTimer()
			server = newServerDocs()
			b.StartTimer()
		}
		if err := server[(j%len(all))/typists].ApplyUpdate(updates[j]); err != nil {
			b.Fatal(err)
		}
	}
}
