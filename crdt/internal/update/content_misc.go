package update

import (
	"fmt"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// ContentBinary is one Uint8Array element (ref 3).
type ContentBinary struct{ Data []byte }

// ContentEmbed is a rich-text embed (ref 5): JSON text in v1, an Any value in v2.
type ContentEmbed struct{ Value any }

// ContentFormat is a rich-text formatting marker (ref 6); Value nil closes the attribute.
type ContentFormat struct {
	Key   string
	Value any
}

// cannotSplit backs Splice of the contents that always cover exactly one clock
// (Binary, Embed, Format, Type, Doc). Splice requires 0 < offset < Len(), so
// reaching it is a caller bug, never a consequence of input bytes.
func cannotSplit(c Content, offset uint64) Content {
	panic(fmt.Sprintf("update: content ref %d has length 1 and cannot be split at %d", c.Ref(), offset))
}

func (c *ContentBinary) Ref() uint8                              { return RefBinary }
func (c *ContentBinary) Len() uint64                             { return 1 }
func (c *ContentBinary) Countable() bool                         { return true }
func (c *ContentBinary) Copy() Content                           { return &ContentBinary{Data: c.Data} }
func (c *ContentBinary) MergeWith(Content) bool                  { return false }
func (c *ContentBinary) Splice(o uint64) Content                 { return cannotSplit(c, o) }
func (c *ContentBinary) Write(enc codec.UpdateEncoder, _ uint64) { enc.WriteBuf(c.Data) }

func (c *ContentEmbed) Ref() uint8                              { return RefEmbed }
func (c *ContentEmbed) Len() uint64                             { return 1 }
func (c *ContentEmbed) Countable() bool                         { return true }
func (c *ContentEmbed) Copy() Content                           { return &ContentEmbed{Value: c.Value} }
func (c *ContentEmbed) MergeWith(Content) bool                  { return false }
func (c *ContentEmbed) Splice(o uint64) Content                 { return cannotSplit(c, o) }
func (c *ContentEmbed) Write(enc codec.UpdateEncoder, _ uint64) { enc.WriteJSON(c.Value) }

func (c *ContentFormat) Ref() uint8              { return RefFormat }
func (c *ContentFormat) Len() uint64             { return 1 }
func (c *ContentFormat) Countable() bool         { return false }
func (c *ContentFormat) Copy() Content           { return &ContentFormat{Key: c.Key, Value: c.Value} }
func (c *ContentFormat) MergeWith(Content) bool  { return false }
func (c *ContentFormat) Splice(o uint64) Content { return cannotSplit(c, o) }
func (c *ContentFormat) Write(enc codec.UpdateEncoder, _ uint64) {
	enc.WriteKey(c.Key)
	enc.WriteJSON(c.Value)
}

func readContentBinary(dec codec.UpdateDecoder) (Content, error) {
	b, err := dec.ReadBuf()
	if err != nil {
		return nil, malformed("binary content", err)
	}
	return &ContentBinary{Data: b}, nil
}

func readContentEmbed(dec codec.UpdateDecoder) (Content, error) {
	v, err := dec.ReadJSON()
	if err != nil {
		return nil, malformed("embed content", err)
	}
	return &ContentEmbed{Value: v}, nil
}

func readContentFormat(dec codec.UpdateDecoder) (Content, error) {
	k, err := dec.ReadKey()
	if err != nil {
		return nil, malformed("format key", err)
	}
	v, err := dec.ReadJSON()
	if err != nil {
		return nil, malformed("format value", err)
	}
	return &ContentFormat{Key: k, Value: v}, nil
}

// jsonSafe reports whether the embed and format values of c can be written as
// JSON text, which a v1 encoding requires (JSON.stringify throws on a BigInt and
// yields no text for undefined).
func jsonSafe(c Content) bool {
	var v any
	switch c := c.(type) {
	case *ContentEmbed:
		v = c.Value
	case *ContentFormat:
		v = c.Value
	default:
		return true
	}
	_, err := lib0.StringifyJSON(v)
	return err == nil
}
