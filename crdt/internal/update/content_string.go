package update

import (
	"github.com/meridian-sync/meridian/crdt/internal/codec"
	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// ContentString is a run of text (ref 4). It keeps the Go (UTF-8) string and
// caches its UTF-16 length, which is what Yjs counts clocks in.
type ContentString struct {
	s     string
	units uint64
}

// NewContentString wraps s. Invalid UTF-8 is not expected here (decoders reject it).
func NewContentString(s string) *ContentString {
	return &ContentString{s: s, units: uint64(lib0.UTF16Len(s))}
}

// String returns the text.
func (c *ContentString) String() string { return c.s }

func (c *ContentString) Ref() uint8      { return RefString }
func (c *ContentString) Len() uint64     { return c.units }
func (c *ContentString) Countable() bool { return true }
func (c *ContentString) Copy() Content   { return &ContentString{s: c.s, units: c.units} }

// Splice splits at a UTF-16 offset. Like yjs ContentString.splice, a split
// between the two halves of a surrogate pair turns both halves into U+FFFD, so
// each side keeps its UTF-16 length and no side holds a lone surrogate.
func (c *ContentString) Splice(offset uint64) Content {
	left, right, _ := lib0.SplitUTF16(c.s, int(offset))
	c.s, c.units = left, offset
	return &ContentString{s: right, units: uint64(lib0.UTF16Len(right))}
}

func (c *ContentString) MergeWith(right Content) bool {
	r, ok := right.(*ContentString)
	if !ok {
		return false
	}
	c.s += r.s
	c.units += r.units
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
