package lib0

import (
	"strings"
	"unicode/utf8"
)

// Yjs measures text in UTF-16 code units (JavaScript string length), while Go
// strings are UTF-8. These helpers translate between the two without building a
// []uint16. Invalid UTF-8 bytes count as one unit each, because a JS encoder
// would have produced U+FFFD (one unit) in their place.

const replacementChar = "\uFFFD"

// UTF16Len returns the number of UTF-16 code units of s.
func UTF16Len(s string) int {
	// ASCII fast path: one byte is one unit.
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return i
	}
	n := i
	for _, r := range s[i:] {
		n += runeUnits(r)
	}
	return n
}

// runeUnits is the UTF-16 width of r: two units for supplementary-plane runes.
func runeUnits(r rune) int {
	if r >= 0x10000 {
		return 2
	}
	return 1
}

// UTF16Offset converts a UTF-16 offset into a byte offset of s. When the offset
// falls between the two units of a surrogate pair, splitsPair is true and
// byteOffset is the start of that rune. An offset outside [0, UTF16Len(s)]
// returns byteOffset -1.
func UTF16Offset(s string, units int) (byteOffset int, splitsPair bool) {
	if units < 0 {
		return -1, false
	}
	seen := 0
	for i, r := range s {
		if seen == units {
			return i, false
		}
		w := runeUnits(r)
		if seen+w > units {
			return i, true
		}
		seen += w
	}
	if seen == units {
		return len(s), false
	}
	return -1, false
}

// UTF16SuffixOffset is UTF16Offset counted from the end: the byte offset of s
// where its last units UTF-16 units start (splitsPair when that cuts a surrogate
// pair; byteOffset -1 when s has fewer units). It costs the length of the suffix,
// not of s: writing the newest characters of a long typed run is the common case.
func UTF16SuffixOffset(s string, units int) (byteOffset int, splitsPair bool) {
	if units < 0 {
		return -1, false
	}
	seen, i := 0, len(s)
	for seen < units {
		if i == 0 {
			return -1, false
		}
		r, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
		seen += runeUnits(r)
	}
	return i, seen > units
}

// SuffixUTF16 is the right part of SplitUTF16(s, UTF16Len(s)-units), computed
// from the end of s: its last units UTF-16 units, with U+FFFD in place of the low
// half of a surrogate pair the cut splits. ok is false if s has fewer units.
func SuffixUTF16(s string, units int) (suffix string, ok bool) {
	off, split := UTF16SuffixOffset(s, units)
	if off < 0 {
		return "", false
	}
	if !split {
		return s[off:], true
	}
	_, size := utf8.DecodeRuneInString(s[off:])
	return replacementChar + s[off+size:], true
}

// SplitUTF16 splits s at a UTF-16 offset the way Yjs splits a string item: if
// the offset cuts a surrogate pair, both halves become U+FFFD (so each side
// keeps its UTF-16 length). It reports ok=false if units is out of range.
func SplitUTF16(s string, units int) (left, right string, ok bool) {
	off, split := UTF16Offset(s, units)
	if off < 0 {
		return "", "", false
	}
	if !split {
		return s[:off], s[off:], true
	}
	_, size := utf8.DecodeRuneInString(s[off:])
	return s[:off] + replacementChar, replacementChar + s[off+size:], true
}

// ToValidUTF8 replaces every byte that is not part of a valid UTF-8 sequence
// with U+FFFD. Unlike strings.ToValidUTF8 it replaces byte by byte, so that the
// UTF-16 length of the result equals UTF16Len of the input.
func ToValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(replacementChar)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
