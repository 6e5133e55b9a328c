package lib0

import (
	"errors"
	"math/rand"
	"testing"
)

// Column vectors printed by lib0 0.2.120's RleEncoder(writeUint8),
// UintOptRleEncoder, IntDiffOptRleEncoder and StringEncoder.

func TestRleUint8MatchesLib0(t *testing.T) {
	cases := []struct {
		in  []byte
		hex string
	}{
		{[]byte{1, 1, 1, 7}, "010207"}, {[]byte{0}, "00"}, {[]byte{5, 5}, "05"},
		{[]byte{1, 2, 3, 3, 3, 3, 4}, "01000200030304"}, {nil, ""},
	}
	for _, c := range cases {
		var e RleUint8Encoder
		for _, v := range c.in {
			e.Write(v)
		}
		if got := hexOf(e.Bytes()); got != c.hex {
			t.Errorf("Rle(%v) = %s, want %s", c.in, got, c.hex)
		}
		d := NewRleUint8Decoder(unhex(t, c.hex))
		for i, want := range c.in {
			if got, err := d.Read(); err != nil || got != want {
				t.Errorf("Rle(%v) read %d = %d, %v", c.in, i, got, err)
			}
		}
		if len(c.in) > 0 {
			// The last run repeats forever.
			for i := 0; i < 3; i++ {
				if got, err := d.Read(); err != nil || got != c.in[len(c.in)-1] {
					t.Errorf("Rle(%v) repeat = %d, %v", c.in, got, err)
				}
			}
		} else if _, err := d.Read(); !errors.Is(err, ErrUnexpectedEOF) {
			t.Errorf("reading an empty Rle column: %v", err)
		}
	}
}

func TestUintOptRleMatchesLib0(t *testing.T) {
	cases := []struct {
		in  []uint64
		hex string
	}{
		{[]uint64{1, 2, 3, 3, 3}, "01024301"}, {[]uint64{0}, "00"}, {[]uint64{0, 0, 0}, "4001"},
		{[]uint64{7}, "07"}, {[]uint64{1, 1}, "4100"}, {[]uint64{300, 300, 5, 2147483648}, "ec0400058080808010"},
		{nil, ""},
	}
	for _, c := range cases {
		var e UintOptRleEncoder
		for _, v := range c.in {
			e.Write(v)
		}
		if got := hexOf(e.Bytes()); got != c.hex {
			t.Errorf("UintOptRle(%v) = %s, want %s", c.in, got, c.hex)
		}
		d := NewUintOptRleDecoder(unhex(t, c.hex))
		for i, want := range c.in {
			if got, err := d.Read(); err != nil || got != want {
				t.Errorf("UintOptRle(%v) read %d = %d, %v", c.in, i, got, err)
			}
		}
		if _, err := d.Read(); !errors.Is(err, ErrUnexpectedEOF) {
			t.Errorf("UintOptRle(%v): reading past the end gave %v", c.in, err)
		}
	}
}

func TestIntDiffOptRleMatchesLib0(t *testing.T) {
	cases := []struct {
		in  []int64
		hex string
	}{
		{[]int64{1, 2, 3, 2}, "030142"}, {[]int64{0}, "00"}, {[]int64{0, 0, 0}, "0101"},
		{[]int64{5, 5, 5}, "0a0100"}, {[]int64{1, 2, 3, 4, 5}, "0303"}, {[]int64{10, 3, -4, 100000}, "144d0088b518"},
		{nil, ""},
	}
	for _, c := range cases {
		var e IntDiffOptRleEncoder
		for _, v := range c.in {
			e.Write(v)
		}
		if got := hexOf(e.Bytes()); got != c.hex {
			t.Errorf("IntDiffOptRle(%v) = %s, want %s", c.in, got, c.hex)
		}
		d := NewIntDiffOptRleDecoder(unhex(t, c.hex))
		for i, want := range c.in {
			if got, err := d.Read(); err != nil || got != want {
				t.Errorf("IntDiffOptRle(%v) read %d = %d, %v", c.in, i, got, err)
			}
		}
		if _, err := d.Read(); !errors.Is(err, ErrUnexpectedEOF) {
			t.Errorf("IntDiffOptRle(%v): reading past the end gave %v", c.in, err)
		}
	}
}

func TestStringColumnMatchesLib0(t *testing.T) {
	cases := []struct {
		in  []string
		hex string
	}{
		{[]string{"t", "hello"}, "067468656c6c6f0105"}, {[]string{"m", "a", "m", "b"}, "046d616d624102"},
		{nil, "00"}, {[]string{""}, "0000"}, {[]string{"a😀b", "é", ""}, "0861f09f988062c3a9040100"},
		{[]string{"", "", "x"}, "0178400001"},
	}
	for _, c := range cases {
		var e StringEncoder
		for _, s := range c.in {
			e.Write(s)
		}
		if got := hexOf(e.Bytes()); got != c.hex {
			t.Errorf("StringEncoder(%q) = %s, want %s", c.in, got, c.hex)
		}
		d, err := NewStringDecoder(unhex(t, c.hex))
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		for i, want := range c.in {
			if got, err := d.Read(); err != nil || got != want {
				t.Errorf("StringDecoder(%q) read %d = %q, %v", c.in, i, got, err)
			}
		}
		if _, err := d.Read(); err == nil {
			t.Errorf("StringDecoder(%q): reading past the end succeeded", c.in)
		}
	}
}

func TestStringDecoderErrors(t *testing.T) {
	if _, err := NewStringDecoder(unhex(t, "02 c3 28 01")); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if _, err := NewStringDecoder(nil); !errors.Is(err, ErrUnexpectedEOF) {
		t.Errorf("empty column: %v", err)
	}
	d, _ := NewStringDecoder(unhex(t, "02 61 62 03")) // "ab", then a length of 3
	if _, err := d.Read(); !errors.Is(err, ErrMalformed) {
		t.Errorf("length beyond text: %v", err)
	}
	d, _ = NewStringDecoder(unhex(t, "01 61 80 80 80 80 80 80 80 10")) // length 2^53
	if _, err := d.Read(); !errors.Is(err, ErrMalformed) {
		t.Errorf("huge length: %v", err)
	}
}

func TestStringDecoderSplitSurrogatePairBecomesReplacementChars(t *testing.T) {
	// "a😀b" with lengths 2 and 2 cuts the emoji in half, as JS slice would.
	var e Encoder
	e.WriteVarString("a😀b")
	e.WriteVarIntSigned(true, 2)
	e.WriteVarUint(0)
	d, _ := NewStringDecoder(e.Bytes())
	first, err1 := d.Read()
	second, err2 := d.Read()
	if err1 != nil || err2 != nil || first != "a\uFFFD" || second != "\uFFFDb" {
		t.Fatalf("got %q %q (%v %v)", first, second, err1, err2)
	}
}

func TestIntDiffOptRleRejectsRunawayValues(t *testing.T) {
	var e Encoder
	e.WriteVarInt(2*(1<<53) + 1) // diff 2^53, with a count
	e.WriteVarUint(5)
	d := NewIntDiffOptRleDecoder(e.Bytes())
	if _, err := d.Read(); err == nil {
		if _, err = d.Read(); !errors.Is(err, ErrOverflow) {
			t.Fatalf("second read: %v", err)
		}
	} else if !errors.Is(err, ErrOverflow) {
		t.Fatalf("first read: %v", err)
	}
}

// TestColumnsRandomRoundTrip checks encoder and decoder against each other on
// seeded random runs (values biased towards repeats, as real columns are).
func TestColumnsRandomRoundTrip(t *testing.T) {
	seed := int64(7)
	rng := rand.New(rand.NewSource(seed))
	for iter := 0; iter < 300; iter++ {
		n := rng.Intn(60) + 1
		var (
			re   RleUint8Encoder
			ue   UintOptRleEncoder
			ie   IntDiffOptRleEncoder
			se   StringEncoder
			bs   = make([]byte, n)
			us   = make([]uint64, n)
			is   = make([]int64, n)
			ss   = make([]string, n)
			pool = []string{"", "a", "é", "😀", "key", "a😀"}
		)
		for i := 0; i < n; i++ {
			if i > 0 && rng.Intn(2) == 0 {
				bs[i], us[i], is[i], ss[i] = bs[i-1], us[i-1], is[i-1]+(is[i-1]-prevOr0(is, i-2)), ss[i-1]
			} else {
				bs[i], us[i], is[i], ss[i] = byte(rng.Intn(4)), uint64(rng.Int63n(1<<40)), rng.Int63n(1<<40)-1<<39, pool[rng.Intn(len(pool))]
			}
			re.Write(bs[i])
			ue.Write(us[i])
			ie.Write(is[i])
			se.Write(ss[i])
		}
		rd, ud, id := NewRleUint8Decoder(re.Bytes()), NewUintOptRleDecoder(ue.Bytes()), NewIntDiffOptRleDecoder(ie.Bytes())
		sd, err := NewStringDecoder(se.Bytes())
		if err != nil {
			t.Fatalf("seed %d iter %d: %v", seed, iter, err)
		}
		for i := 0; i < n; i++ {
			b, e1 := rd.Read()
			u, e2 := ud.Read()
			v, e3 := id.Read()
			s, e4 := sd.Read()
			if e1 != nil || e2 != nil || e3 != nil || e4 != nil || b != bs[i] || u != us[i] || v != is[i] || s != ss[i] {
				t.Fatalf("seed %d iter %d index %d: got %d %d %d %q (%v %v %v %v)", seed, iter, i, b, u, v, s, e1, e2, e3, e4)
			}
		}
		if _, err := ud.Read(); err == nil {
			t.Fatalf("seed %d iter %d: UintOptRle read past end", seed, iter)
		}
	}
}

func prevOr0(s []int64, i int) int64 {
	if i < 0 {
		return 0
	}
	return s[i]
}

func TestColumnBytesIsRepeatable(t *testing.T) {
	var e UintOptRleEncoder
	e.Write(3)
	e.Write(3)
	first := hexOf(e.Bytes())
	if second := hexOf(e.Bytes()); first != second {
		t.Fatalf("Bytes changed the state: %s then %s", first, second)
	}
	e.Write(3)
	if got := hexOf(e.Bytes()); got != "4301" {
		t.Fatalf("after more writes: %s", got)
	}
}
