package lib0

import "unsafe"

// StringArena copies the strings a decoder reads into shared chunks instead of one allocation
// each. A loaded document holds thousands of short texts, and every own allocation is rounded
// up to a size class (a 17-byte text takes 24, a 49-byte one 64): the automerge-paper trace's
// 105 KB of text took 120 KB that way. It is the v1 counterpart of the v2 string column, whose
// strings all share the one joined string they are sliced from.
//
// The trade-off is the same as there: a chunk lives as long as any string in it does, so a
// text that is deleted later frees its bytes only together with its neighbours. Chunks are
// small (arenaChunk) and hold the strings of one input only (see Reset), which bounds what one
// kept string can hold on to.
//
// The zero value is ready to use. Strings from an arena are immutable like any other: a chunk's
// bytes are written once, before the string viewing them exists.
type StringArena struct {
	free []byte // the unused tail of the current chunk
}

const (
	// arenaChunk is the size of a chunk (a size class of its own, so the chunk wastes nothing).
	arenaChunk = 4096
	// arenaMaxString is the longest string the arena takes. A longer one gets its own allocation
	// (waste at most an eighth of it), and the part of a chunk left unused when a string does
	// not fit stays below it.
	arenaMaxString = 128
)

// Reset forgets the current chunk, so that strings of the next input start a new one: a string
// that is kept then holds on to strings of its own input only.
func (a *StringArena) Reset() { a.free = nil }

// ReadVarStringIn is ReadVarString with the string's bytes copied into a.
func (d *Decoder) ReadVarStringIn(a *StringArena) (string, error) {
	b, err := d.readVarStringBytes()
	if err != nil {
		return "", err
	}
	return a.copyOf(b, d.Remaining()), nil
}

// copyOf returns b as a string. rest is the input still unread after b: the strings still to
// come are shorter than that, so a chunk started near the end of a small input is no larger
// than what it can be asked to hold.
func (a *StringArena) copyOf(b []byte, rest int) string {
	switch {
	case len(b) <= 1:
		return string(b) // the runtime has every one-byte string already: no allocation at all
	case len(b) > arenaMaxString:
		return string(b)
	case len(b) > cap(a.free):
		a.free = make([]byte, 0, min(arenaChunk, len(b)+rest))
	}
	s := a.free[:len(b)]
	copy(s, b)
	a.free = s[len(b):] // what is handed out is never written again
	return unsafe.String(&s[0], len(s))
}
