package lib0

import "testing"

func BenchmarkWriteVarUint(b *testing.B) {
	var e Encoder
	for i := 0; i < b.N; i++ {
		if e.Len() > 1<<16 {
			e.Reset()
		}
		e.WriteVarUint(uint64(i) * 2654435761 % (1 << 32))
	}
}

func BenchmarkReadVarUint(b *testing.B) {
	var e Encoder
	for i := 0; i < 4096; i++ {
		e.WriteVarUint(uint64(i) * 2654435761 % (1 << 32))
	}
	buf := e.Bytes()
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := NewDecoder(buf)
		for d.Remaining() > 0 {
			if _, err := d.ReadVarUint(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func benchAnyValue() any {
	return []any{
		obj("id", int64(42), "name", "meridian", "score", 0.75, "tags", []any{"a", "b", "c"}, "ok", true),
		int64(-7), 1.5, "text with some length", nil, []byte{1, 2, 3, 4},
	}
}

func BenchmarkWriteAny(b *testing.B) {
	v := benchAnyValue()
	var e Encoder
	for i := 0; i < b.N; i++ {
		e.Reset()
		e.WriteAny(v)
	}
}

func BenchmarkReadAny(b *testing.B) {
	var e Encoder
	e.WriteAny(benchAnyValue())
	buf := e.Bytes()
	b.SetBytes(int64(len(buf)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := NewDecoder(buf).ReadAny(); err != nil {
			b.Fatal(err)
		}
	}
}
