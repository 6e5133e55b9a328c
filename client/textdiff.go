package client

import (
	"unicode/utf16"

	"github.com/meridian-sync/meridian/crdt"
)

// ReplaceText makes t's content equal to s with the smallest single edit: the common prefix and suffix are
// kept, only the middle is deleted and inserted. Unchanged text keeps its identity, so concurrent edits
// elsewhere in the text, cursors and formatting survive a whole-file replacement (meridian put). Call it inside
// Edit.
func ReplaceText(t *crdt.Text, s string) error {
	old := utf16.Encode([]rune(t.String()))
	next := utf16.Encode([]rune(s))
	prefix := 0
	for prefix < len(old) && prefix < len(next) && old[prefix] == next[prefix] {
		prefix++
	}
	if prefix > 0 && isHighSurrogate(old[prefix-1]) {
		prefix-- // never split a surrogate pair
	}
	suffix := 0
	for suffix < len(old)-prefix && suffix < len(next)-prefix && old[len(old)-1-suffix] == next[len(next)-1-suffix] {
		suffix++
	}
	if suffix > 0 && isLowSurrogate(old[len(old)-suffix]) {
		suffix--
	}
	if del := len(old) - prefix - suffix; del > 0 {
		if err := t.Delete(prefix, del); err != nil {
			return err
		}
	}
	if ins := next[prefix : len(next)-suffix]; len(ins) > 0 {
		return t.Insert(prefix, string(utf16.Decode(ins)), nil)
	}
	return nil
}

func isHighSurrogate(u uint16) bool { return u >= 0xd800 && u < 0xdc00 }
func isLowSurrogate(u uint16) bool  { return u >= 0xdc00 && u < 0xe000 }
