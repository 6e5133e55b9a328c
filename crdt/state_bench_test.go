package crdt

import "testing"

// smallStateTraces are the traces whose full states take well under a millisecond to encode
// or load: the side-by-side bench's timer is coarse for them, these give ns/op and allocs.
var smallStateTraces = []string{"seph-blog1", "rustcode", "sveltecomponent", "friendsforever_flat", "clownschool_flat"}

func BenchmarkEncodeSmallStates(b *testing.B) {
	for _, name := range smallStateTraces {
		d := NewDoc(WithClientID(2))
		must(b, d.ApplyUpdate(readFixture(b, name+".state.v1.bin")))
		b.Run(name+"/v1", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				_ = d.EncodeStateAsUpdate(nil)
			}
		})
		b.Run(name+"/v2", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				_ = d.EncodeStateAsUpdateV2(nil)
			}
		})
	}
}

func BenchmarkLoadSmallStates(b *testing.B) {
	for _, name := range smallStateTraces {
		d := NewDoc(WithClientID(2))
		must(b, d.ApplyUpdate(readFixture(b, name+".state.v1.bin")))
		v1, v2 := d.EncodeStateAsUpdate(nil), d.EncodeStateAsUpdateV2(nil)
		b.Run(name+"/v1", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				must(b, NewDoc(WithClientID(2)).ApplyUpdate(v1))
			}
		})
		b.Run(name+"/v2", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				must(b, NewDoc(WithClientID(2)).ApplyUpdateV2(v2))
			}
		})
	}
}
