package lib0

import (
	"encoding/binary"
	"unicode/utf8"
)

// StringEncoder is lib0's StringEncoder (the v2 string column): all strings are
// concatenated into one varString, followed by a UintOptRle stream of their
// lengths in UTF-16 code units. The zero value is ready to use.
type StringEncoder struct {
	joined []byte
	lens   UintOptRleEncoder
}

// Write appends one string. Invalid UTF-8 bytes become U+FFFD, each one UTF-16
// unit, as for WriteVarString.
func (e *StringEncoder) Write(s string) {
	if isASCII(s) { // most text: valid, and one UTF-16 unit per byte, in one cheap pass
		e.joined = append(e.joined, s...)
		e.lens.Write(uint64(len(s)))
		return
	}
	if !utf8.ValidString(s) {
		s = ToValidUTF8(s)
	}
	e.joined = append(e.joined, s...)
	e.lens.Write(uint64(UTF16Len(s)))
}

// Bytes returns the complete column so far as a new slice. Writing may continue
// afterwards.
func (e *StringEncoder) Bytes() []byte {
	lens := e.lens.Bytes()
	var out Encoder
	out.Grow(binary.MaxVarintLen64 + len(e.joined) + len(lens))
	out.WriteVarBytes(e.joined) // a varString: joined is valid UTF-8
	out.WriteRaw(lens)
	return out.Bytes()
}

// StringDecoder reads a StringEncoder column.
//
// A length that ends in the middle of a surrogate pair cannot be represented in
// Go (JS would produce two lone surrogates); both halves are returned as U+FFFD,
// one unit each, matching what JS would write back out.
type StringDecoder struct {
	joined  string
	pos     int  // byte offset of the next unread text
	lowHalf bool // the rune at pos had its first half consumed by the previous string
	lens    UintOptRleDecoder
}

// NewStringDecoder parses the column header (the concatenated string, which
// must be valid UTF-8). b is not copied.
func NewStringDecoder(b []byte) (*StringDecoder, error) {
	in := NewDecoder(b)
	joined, err := in.ReadVarString()
	if err != nil {
		return nil, err
	}
	return &StringDecoder{joined: joined, lens: UintOptRleDecoder{in: in}}, nil
}

// Read returns the next string. A length running past the concatenated text is
// an error (ErrMalformed), as is reading past the end of the length stream.
func (d *StringDecoder) Read() (string, error) {
	n, err := d.lens.Read()
	if err != nil {
		return "", err
	}
	prefix := ""
	if d.lowHalf && n > 0 {
		_, size := utf8.DecodeRuneInString(d.joined[d.pos:])
		d.pos += size
		d.lowHalf = false
		prefix = replacementChar
		n--
	}
	rest := d.joined[d.pos:]
	if n > uint64(len(rest))*2 { // cheap bound before scanning; also avoids int overflow
		return "", errAt(ErrMalformed, d.lens.in.Pos())
	}
	off, split := UTF16Offset(rest, int(n))
	if off < 0 {
		return "", errAt(ErrMalformed, d.lens.in.Pos())
	}
	s := rest[:off]
	d.pos += off
	if split {
		s += replacementChar
		d.lowHalf = true
	}
	if prefix != "" {
		s = prefix + s
	}
	return s, nil
}

// isASCII reports whether every byte of s is below 0x80. It ORs the bytes together rather than
// stopping at the first high one: text is nearly always ASCII, and the loop has no branch.
func isASCII(s string) bool {
	var or byte
	for i := 0; i < len(s); i++ {
		or |= s[i]
	}
	return or < utf8.RuneSelf
}
