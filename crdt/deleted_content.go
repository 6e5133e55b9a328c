package crdt

import (
	"github.com/meridian-sync/meridian/crdt/internal/codec"
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// collected is the content of every garbage-collected item (yjs ContentDeleted), shared by all
// of them. A ContentDeleted carries nothing but its length, and an item already holds its length
// in lenFlags, so one object per deleted item (thousands in an edited text) only duplicated it.
//
// The item's length is therefore the single source of truth: collected's N is meaningless and is
// never read, written or changed. The engine's uses of a content's length and of its
// Splice/MergeWith/Write go through the helpers below, which leave the shared value alone for
// deleted content.
var collected update.Content = &update.ContentDeleted{}

// itemContent is the content an item keeps for a decoded one: the shared collected value for
// ContentDeleted (a loaded document's deleted items arrive so), c itself otherwise.
func itemContent(c update.Content) update.Content {
	if _, ok := c.(*update.ContentDeleted); ok {
		return collected
	}
	return c
}

// spliceContent splits an item's content at offset (Content.Splice) and returns the right part;
// both parts of deleted content stay the shared value, their lengths are the items'.
func spliceContent(c update.Content, offset uint64) update.Content {
	if c == collected {
		return collected
	}
	return c.Splice(offset)
}

// writeContent encodes the item's content from unit offset on; deleted content writes the
// item's remaining length, the bytes ContentDeleted.Write would with a length of its own.
func (it *item) writeContent(enc codec.UpdateEncoder, offset uint64) {
	if it.content == collected {
		enc.WriteLen(it.len() - offset)
		return
	}
	if s, ok := it.content.(*update.ContentString); ok && offset > 0 {
		s.WriteSuffix(enc, it.len()-offset)
		return
	}
	it.content.Write(enc, offset)
}
