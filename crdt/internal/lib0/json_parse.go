package lib0

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// ParseJSON parses JSON text as JSON.parse does and returns canonical values:
// objects become Object (duplicate keys: last value wins at the first
// position, index-like keys ordered first as in JS), arrays []any, strings
// string, and numbers int64 when written as an integer (no fraction or
// exponent) with magnitude <= 2^53, otherwise float64 ("-0" is float64 -0,
// overflowing literals are ±Inf as in JS). Escaped lone surrogates, which a Go
// string cannot hold, become U+FFFD. Trailing non-whitespace, invalid UTF-8 and
// nesting beyond MaxNestingDepth are errors. The text "undefined" is not JSON
// and is rejected; callers that accept it (ContentJSON) handle it themselves.
func ParseJSON(s string) (any, error) {
	p := jsonParser{s: s}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(s) {
		return nil, p.fail("unexpected text after the value")
	}
	return v, nil
}

type jsonParser struct {
	s   string
	pos int
}

func (p *jsonParser) fail(what string) error {
	return errAt(fmt.Errorf("%w: %s", ErrInvalidJSON, what), p.pos)
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, error) {
	if p.pos >= len(p.s) {
		return nil, p.fail("unexpected end of input")
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	for _, lit := range [...]struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if len(p.s)-p.pos >= len(lit.text) && p.s[p.pos:p.pos+len(lit.text)] == lit.text {
			p.pos += len(lit.text)
			return lit.v, nil
		}
	}
	return nil, p.fail("unexpected character")
}

func (p *jsonParser) array(depth int) (any, error) {
	if depth > MaxNestingDepth {
		return nil, errAt(ErrTooDeep, p.pos)
	}
	p.pos++ // '['
	arr := []any{}
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == ']' {
		p.pos++
		return arr, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		if done, err := p.listSeparator(']'); done || err != nil {
			return arr, err
		}
	}
}

// listSeparator consumes "," (more items follow) or the closing byte (done).
func (p *jsonParser) listSeparator(closing byte) (done bool, err error) {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return false, p.fail("unexpected end of input")
	}
	switch p.s[p.pos] {
	case ',':
		p.pos++
		return false, nil
	case closing:
		p.pos++
		return true, nil
	}
	return false, p.fail("expected ',' or closing bracket")
}

func (p *jsonParser) object(depth int) (any, error) {
	if depth > MaxNestingDepth {
		return nil, errAt(ErrTooDeep, p.pos)
	}
	p.pos++ // '{'
	obj := NewObject()
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] == '}' {
		p.pos++
		return obj, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != '"' {
			return nil, p.fail("expected a string key")
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.s) || p.s[p.pos] != ':' {
			return nil, p.fail("expected ':'")
		}
		p.pos++
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		obj.Set(key.(string), v)
		if done, err := p.listSeparator('}'); done || err != nil {
			return obj, err
		}
	}
}

func (p *jsonParser) number() (any, error) {
	start := p.pos
	p.consume('-')
	switch {
	case p.consume('0'):
	case p.digits() == 0:
		return nil, p.fail("invalid number")
	}
	integral := true
	if p.consume('.') {
		integral = false
		if p.digits() == 0 {
			return nil, p.fail("invalid number fraction")
		}
	}
	if p.consume('e') || p.consume('E') {
		integral = false
		if !p.consume('+') {
			p.consume('-')
		}
		if p.digits() == 0 {
			return nil, p.fail("invalid number exponent")
		}
	}
	text := p.s[start:p.pos]
	if integral && text != "-0" {
		if v, err := strconv.ParseInt(text, 10, 64); err == nil && v >= -maxDecodable && v <= maxDecodable {
			return v, nil
		}
	}
	// The grammar is validated above, so the only possible error is ErrRange,
	// for which ParseFloat returns ±Inf or 0: the values JSON.parse yields.
	f, _ := strconv.ParseFloat(text, 64)
	return f, nil
}

func (p *jsonParser) consume(c byte) bool {
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *jsonParser) digits() int {
	n := 0
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
		n++
	}
	return n
}

// str parses a string literal starting at the opening quote. It returns any so
// that value() can return it directly.
func (p *jsonParser) str() (any, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes, so the literal is a substring.
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '"' {
			lit := p.s[start:p.pos]
			if !utf8.ValidString(lit) {
				return nil, errAt(ErrInvalidUTF8, start)
			}
			p.pos++
			return lit, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.pos++
	}
	return p.strEscaped(start)
}

func (p *jsonParser) strEscaped(start int) (any, error) {
	buf := []byte(p.s[start:p.pos])
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			if !utf8.Valid(buf) {
				return nil, errAt(ErrInvalidUTF8, start)
			}
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return nil, p.fail("control character in string")
		case c == '\\':
			var err error
			if buf, err = p.escape(buf); err != nil {
				return nil, err
			}
		default:
			buf = append(buf, c)
			p.pos++
		}
	}
	return nil, p.fail("unterminated string")
}

func (p *jsonParser) escape(buf []byte) ([]byte, error) {
	p.pos++ // backslash
	if p.pos >= len(p.s) {
		return nil, p.fail("unterminated escape")
	}
	c := p.s[p.pos]
	p.pos++
	switch c {
	case '"', '\\', '/':
		return append(buf, c), nil
	case 'b':
		return append(buf, '\b'), nil
	case 'f':
		return append(buf, '\f'), nil
	case 'n':
		return append(buf, '\n'), nil
	case 'r':
		return append(buf, '\r'), nil
	case 't':
		return append(buf, '\t'), nil
	case 'u':
		return p.unicodeEscape(buf)
	}
	return nil, p.fail("invalid escape")
}

// unicodeEscape decodes \uXXXX, joining a high and a low surrogate escape
// into one rune; an unpaired surrogate becomes U+FFFD.
func (p *jsonParser) unicodeEscape(buf []byte) ([]byte, error) {
	r, err := p.hex4()
	if err != nil {
		return nil, err
	}
	if utf16.IsSurrogate(r) && r < 0xdc00 && len(p.s)-p.pos >= 6 && p.s[p.pos] == '\\' && p.s[p.pos+1] == 'u' {
		save := p.pos
		p.pos += 2
		low, err := p.hex4()
		if err == nil {
			if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
				return utf8.AppendRune(buf, pair), nil
			}
		}
		p.pos = save // not a pair: the second escape is decoded on its own
	}
	return utf8.AppendRune(buf, r), nil // surrogates encode as U+FFFD
}

func (p *jsonParser) hex4() (rune, error) {
	if len(p.s)-p.pos < 4 {
		return 0, p.fail("short \\u escape")
	}
	if !isHex4(p.s[p.pos : p.pos+4]) {
		return 0, p.fail("invalid \\u escape")
	}
	v, _ := strconv.ParseUint(p.s[p.pos:p.pos+4], 16, 32)
	p.pos += 4
	return rune(v), nil
}

func isHex4(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20 // lower-case letters; digits are unaffected
		if !(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
