package lib0

import (
	"errors"
	"strings"
	"testing"
	"unsafe"
)

// varStrings encodes strs as consecutive varStrings.
func varStrings(strs ...string) []byte {
	var e Encoder
	for _, s := range strs {
		e.WriteVarString(s)
	}
	return e.Bytes()
}

// adjacent reports whether b's bytes directly follow a's in memory.
func adjacent(a, b string) bool {
	return uintptr(unsafe.Pointer(unsafe.StringData(a)))+uintptr(len(a)) == uintptr(unsafe.Pointer(unsafe.StringData(b)))
}

func readAllIn(t *testing.T, d *Decoder, a *StringArena, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		s, err := d.ReadVarStringIn(a)
		if err != nil {
			t.Fatalf("string %d: %v", i, err)
		}
		out[i] = s
	}
	return out
}

// Short strings share chunks: reading a hundred of them allocates once, not a hundred times,
// and each reads back exactly what was written, whatever was read after it.
func TestStringArenaPacksShortStrings(t *testing.T) {
	var want []string
	for i := range 100 {
		want = append(want, strings.Repeat(string(rune('a'+i%26)), 2+i%30)+"é")
	}
	in := varStrings(want...)
	allocs := testing.AllocsPerRun(10, func() {
		var a StringArena
		d := Decoder{buf: in}
		for range want {
			if _, err := d.ReadVarStringIn(&a); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs > 1 {
		t.Errorf("reading %d short strings allocated %v times, want one chunk", len(want), allocs)
	}
	var a StringArena
	got := readAllIn(t, NewDecoder(in), &a, len(want))
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("string %d = %q, want %q", i, got[i], want[i])
		}
	}
	if !adjacent(got[0], got[1]) {
		t.Errorf("consecutive short strings are not neighbours in one chunk")
	}
}

// The copy never aliases the input: changing the input afterwards changes no string.
func TestStringArenaCopiesTheInput(t *testing.T) {
	in := varStrings("hello", "world")
	var a StringArena
	got := readAllIn(t, NewDecoder(in), &a, 2)
	for i := range in {
		in[i] = 'x'
	}
	if got[0] != "hello" || got[1] != "world" {
		t.Fatalf("strings changed with their input: %q", got)
	}
}

// A chunk is no larger than the input left to read, so a small update does not pin a full
// chunk; long strings, the empty string and one-byte strings get no chunk space at all.
func TestStringArenaSizesItsChunks(t *testing.T) {
	var a StringArena
	in := varStrings("ab", "cd")
	d := NewDecoder(in)
	readAllIn(t, d, &a, 1)
	if chunk := 2 + cap(a.free); chunk > len(in) {
		t.Errorf("a %d-byte input started a chunk of %d bytes", len(in), chunk)
	}
	if s := readAllIn(t, d, &a, 1)[0]; s != "cd" || cap(a.free) != 1 {
		t.Errorf("the second string %q did not go into the first one's chunk", s)
	}
	long := strings.Repeat("z", arenaMaxString+1)
	a.Reset()
	got := readAllIn(t, NewDecoder(varStrings(long, "", "q")), &a, 3)
	if got[0] != long || got[1] != "" || got[2] != "q" {
		t.Fatalf("read back %q", got)
	}
	if a.free != nil {
		t.Errorf("a long, an empty and a one-byte string started a chunk of %d bytes", cap(a.free))
	}
}

// Reset starts the next input's strings in a new chunk.
func TestStringArenaResetStartsAFreshChunk(t *testing.T) {
	var a StringArena
	in := varStrings("first", "second")
	first := readAllIn(t, NewDecoder(in), &a, 1)[0]
	a.Reset()
	next := readAllIn(t, NewDecoder(in), &a, 1)[0]
	if adjacent(first, next) {
		t.Errorf("after Reset the next string went into the previous chunk")
	}
}

// Invalid UTF-8 is rejected as ReadVarString rejects it, at the string's position.
func TestStringArenaRejectsInvalidUTF8(t *testing.T) {
	in := append(varStrings("ok"), 2, 0xc3, 0x28)
	d := NewDecoder(in)
	var a StringArena
	readAllIn(t, d, &a, 1)
	_, err := d.ReadVarStringIn(&a)
	var de *DecodeError
	if !errors.Is(err, ErrInvalidUTF8) || !errors.As(err, &de) || de.Pos != 3 {
		t.Fatalf("invalid UTF-8: %v, want ErrInvalidUTF8 at 3", err)
	}
}
