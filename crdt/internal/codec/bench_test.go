package codec

import (
	"path/filepath"
	"testing"
)

// BenchmarkDecodeV1Fixture walks a real 223 KB v1 document (automerge-paper)
// field by field: the cost a server pays to parse a full state.
func BenchmarkDecodeV1Fixture(b *testing.B) {
	v1 := readTrace(b, filepath.Join("yjs-fixtures", "automerge-paper.state.v1.bin"))
	b.SetBytes(int64(len(v1)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := transcode(NewDecoderV1(v1), NewEncoderV1()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeV2Fixture(b *testing.B) {
	v2 := readTrace(b, filepath.Join("yjs-fixtures", "automerge-paper.state.v2.bin"))
	b.SetBytes(int64(len(v2)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		dec, err := NewDecoderV2(v2)
		if err != nil {
			b.Fatal(err)
		}
		if err := transcode(dec, NewEncoderV2()); err != nil {
			b.Fatal(err)
		}
	}
}
