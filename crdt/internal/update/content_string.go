package update

import (
	"strings"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// ContentString is a run of text (ref 4): the Go (UTF-8) string. Yjs counts its
// clocks in UTF-16 code units; Len computes them rather than caching them, because
// the engine keeps every struct's length itself and asks only when the content is
// created, while a cached count would grow every text item of a loaded document.
//
// Typing appends one character at a time, and each new item merges into the run on
// its left. Concatenating Go strings would copy the whole run at every keystroke
// (quadratic: 40k appended characters took seconds), so a run that grows keeps a
// strings.Builder whose buffer grows geometrically; s always views its contents.
type ContentString struct {
	s    string
	grow *strings.Builder // nil until the run first grows by MergeWith
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
	c.s, c.grow = left, nil
	return &ContentString{s: right}
}

func (c *ContentString) MergeWith(right Content) bool {
	r, ok := right.(*ContentString)
	if !ok {
		return false
	}
	if c.grow == nil || c.grow.Len() != len(c.s) {
		c.grow = new(strings.Builder)
		c.grow.Grow(2 * (len(c.s) + len(r.s)))
		c.grow.WriteString(c.s)
	}
	c.grow.WriteString(r.s)
	c.s = c.grow.String() // a view, not a copy: earlier views stay valid, later writes land past them
	return true
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

func readContentString(dec codec.UpdateDecoder) (Content, error) {
	s, err := dec.ReadString()
	if err != nil {
		return nil, malformed("string content", err)
	}
	return NewContentString(s), nil
}
