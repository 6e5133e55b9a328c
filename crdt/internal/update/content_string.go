package update

import (
	"strings"
	"unsafe"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// ContentString is a run of text (ref 4): the Go (UTF-8) string. Yjs counts its
// clocks in UTF-16 code units; Len computes them rather than caching them, because
// the engine keeps every struct's length itself and asks only when the content is
// created, while a cached count would grow every text item of a loaded document.
// For the same reason it holds nothing but the string: the state of a run that
// keeps growing lives in the document's StringRuns, not in every text item.
type ContentString struct {
	s string
}

// NewContentString wraps s. Invalid UTF-8 is not expected here (decoders reject it).
func NewContentString(s string) *ContentString {
	return &ContentString{s: s}
}

// String returns the text.
func (c *ContentString) String() string { return c.s }

func (c *ContentString) Ref() uint8      { return RefString }
func (c *ContentString) Len() uint64     { return uint64(lib0.UTF16Len(c.s)) }
func (c *ContentString) Countable() bool { return true }
func (c *ContentString) Copy() Content   { return &ContentString{s: c.s} }

// Splice splits at a UTF-16 offset. Like yjs ContentString.splice, a split
// between the two halves of a surrogate pair turns both halves into U+FFFD, so
// each side keeps its UTF-16 length and no side holds a lone surrogate.
func (c *ContentString) Splice(offset uint64) Content {
	left, right, _ := lib0.SplitUTF16(c.s, int(offset))
	c.s = left
	return &ContentString{s: right}
}

// MergeWith appends right's text by concatenation, which copies the run: merging a
// run that keeps growing goes through StringRuns.Append instead.
func (c *ContentString) MergeWith(right Content) bool {
	r, ok := right.(*ContentString)
	if !ok {
		return false
	}
	c.s += r.s
	return true
}

// StringRuns appends to the text runs that are growing. Typing appends one character
// at a time, and each new item merges into the run on its left; concatenating Go
// strings would copy the whole run at every keystroke (quadratic: 40k appended
// characters took seconds). A run being grown instead views a buffer that grows
// geometrically, which the next append to the same run extends in place. The last
// runs grown keep their buffers, so that people typing in several places at once
// (or one person switching back and forth) do not copy their runs at every
// keystroke; an append to any other run starts a buffer in place of the oldest.
// With 4 buffers, a document with ten people typing (a server's busy room) copied
// a whole run at every keystroke; 16 cover a busy room for 384 more bytes per document.
type StringRuns struct {
	bufs [16]strings.Builder // the text of a run last grown, which views it
	next int                 // the buffer to replace next
}

// Append appends right's text to c.
func (g *StringRuns) Append(c, right *ContentString) {
	buf := g.bufferOf(c)
	if buf == nil {
		buf = &g.bufs[g.next]
		g.next = (g.next + 1) % len(g.bufs)
		*buf = strings.Builder{}
		buf.Grow(2 * (len(c.s) + len(right.s)))
		buf.WriteString(c.s)
	}
	buf.WriteString(right.s)
	c.s = buf.String() // a view, not a copy: earlier views stay valid, later writes land past them
}

// bufferOf returns the buffer c's text is the whole of, or nil. Appending in place is safe
// only then: a run that was spliced since views a prefix, and writing past it would overwrite
// the text of the part split off.
func (g *StringRuns) bufferOf(c *ContentString) *strings.Builder {
	for i := range g.bufs {
		cur := g.bufs[i].String()
		if len(cur) == len(c.s) && len(cur) > 0 && unsafe.StringData(cur) == unsafe.StringData(c.s) {
			return &g.bufs[i]
		}
	}
	return nil
}

// Write writes the text from UTF-16 offset on. Starting inside a surrogate pair
// writes U+FFFD for the orphaned low half, as JavaScript's UTF-8 encoder does.
func (c *ContentString) Write(enc codec.UpdateEncoder, offset uint64) {
	if offset == 0 {
		enc.WriteString(c.s)
		return
	}
	_, right, _ := lib0.SplitUTF16(c.s, int(offset))
	enc.WriteString(right)
}

// WriteSuffix writes the text's last units UTF-16 units: Write(enc, Len()-units),
// at the cost of the suffix alone. An update that extends a long run (someone
// typing) writes only its new characters, and finding where they start from the
// front would cost the whole run at every keystroke.
func (c *ContentString) WriteSuffix(enc codec.UpdateEncoder, units uint64) {
	right, _ := lib0.SuffixUTF16(c.s, int(units))
	enc.WriteString(right)
}

func readContentString(dec codec.UpdateDecoder) (Content, error) {
	s, err := dec.ReadString()
	if err != nil {
		return nil, malformed("string content", err)
	}
	return NewContentString(s), nil
}
