package codec

import (
	"fmt"
	"testing"
)

// A v1 decoder copies the strings of one update into shared chunks: a loaded document keeps
// thousands of short texts, and one allocation each wasted an eighth of their bytes.
func TestDecoderV1PacksTheStringsOfOneUpdate(t *testing.T) {
	enc := NewEncoderV1()
	var want []string
	for i := range 200 {
		s := fmt.Sprintf("text run %d", i)
		want = append(want, s)
		enc.WriteString(s)
	}
	update := enc.Bytes()
	var d DecoderV1
	allocs := testing.AllocsPerRun(10, func() {
		d.Reset(update)
		for range want {
			if _, err := d.ReadString(); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs > 1 {
		t.Errorf("decoding %d strings allocated %v times, want one chunk for all of them", len(want), allocs)
	}
	d.Reset(update)
	got := make([]string, len(want))
	for i := range got {
		var err error
		if got[i], err = d.ReadString(); err != nil {
			t.Fatal(err)
		}
	}
	d.Reset(update) // the next update's strings must not land on this one's
	for range want {
		if _, err := d.ReadString(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("string %d: want %q, have %q after the decoder moved on", i, want[i], got[i])
		}
	}
}
