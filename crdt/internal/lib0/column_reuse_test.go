package lib0

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// column is what the v2 update encoder needs of each column: write, copy out, write into an
// output, start again.
type column interface {
	Bytes() []byte
	WriteColumnTo(*Encoder)
	Reset()
	Len() int
}

// fillers write the same pseudo-random values into a fresh column and a reused one.
var fillers = map[string]struct {
	make func() column
	fill func(column, *rand.Rand)
}{
	"UintOptRle": {func() column { return &UintOptRleEncoder{} }, func(c column, r *rand.Rand) {
		for range r.IntN(40) {
			c.(*UintOptRleEncoder).Write(uint64(r.IntN(3)) * uint64(r.IntN(1000)))
		}
	}},
	"IntDiffOptRle": {func() column { return &IntDiffOptRleEncoder{} }, func(c column, r *rand.Rand) {
		for range r.IntN(40) {
			c.(*IntDiffOptRleEncoder).Write(int64(r.IntN(3)) * int64(r.IntN(1000)-500))
		}
	}},
	"RleUint8": {func() column { return &RleUint8Encoder{} }, func(c column, r *rand.Rand) {
		for range r.IntN(40) {
			c.(*RleUint8Encoder).Write(byte(r.IntN(3)))
		}
	}},
	"String": {func() column { return &StringEncoder{} }, func(c column, r *rand.Rand) {
		words := []string{"", "a", "a", "héllo", "😀", "bad\xff"}
		for range r.IntN(40) {
			c.(*StringEncoder).Write(words[r.IntN(len(words))])
		}
	}},
}

// TestWriteColumnToIsVarBytesOfBytes: the column written in place is byte for byte the
// length-prefixed copy Bytes returns, and writing continues afterwards as if it had not happened.
func TestWriteColumnToIsVarBytesOfBytes(t *testing.T) {
	for name, f := range fillers {
		for i := range 200 {
			c, twin := f.make(), f.make()
			f.fill(c, rand.New(rand.NewPCG(uint64(i), 1)))
			f.fill(twin, rand.New(rand.NewPCG(uint64(i), 1)))
			var got, want Encoder
			got.WriteUint8(0xee)
			c.WriteColumnTo(&got)
			want.WriteUint8(0xee)
			want.WriteVarBytes(c.Bytes())
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("%s case %d: WriteColumnTo wrote %x, want %x", name, i, got.Bytes(), want.Bytes())
			}
			f.fill(c, rand.New(rand.NewPCG(uint64(i), 2)))
			f.fill(twin, rand.New(rand.NewPCG(uint64(i), 2)))
			if a, b := c.Bytes(), twin.Bytes(); !bytes.Equal(a, b) {
				t.Fatalf("%s case %d: after WriteColumnTo the column became %x, want %x", name, i, a, b)
			}
		}
	}
}

// TestResetColumnEncodesLikeNew: a reset column holds nothing of its past, whatever was in it.
func TestResetColumnEncodesLikeNew(t *testing.T) {
	for name, f := range fillers {
		for i := range 200 {
			reused := f.make()
			f.fill(reused, rand.New(rand.NewPCG(uint64(i), 7)))
			reused.Reset()
			if reused.Len() != 0 {
				t.Fatalf("%s: Len %d after Reset", name, reused.Len())
			}
			fresh := f.make()
			f.fill(reused, rand.New(rand.NewPCG(uint64(i), 8)))
			f.fill(fresh, rand.New(rand.NewPCG(uint64(i), 8)))
			if got, want := reused.Bytes(), fresh.Bytes(); !bytes.Equal(got, want) {
				t.Fatalf("%s case %d: reset column wrote %x, a new one %x", name, i, got, want)
			}
		}
	}
}

func TestVarUintLen(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 16383, 16384, 1 << 53, 1<<64 - 1} {
		if got, want := VarUintLen(v), len(AppendVarUint(nil, v)); got != want {
			t.Errorf("VarUintLen(%d) = %d, want %d", v, got, want)
		}
	}
}
