package lib0

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// StringifyJSON renders a canonical value exactly as JavaScript's JSON.stringify
// does: object keys in Object order, numbers as Number#toString (NaN and
// ±Infinity become null, -0 becomes 0), strings escaped like JS (only '"', '\\'
// and control characters; no HTML escaping), undefined omitted from objects and
// written as null inside arrays, and []byte (a Uint8Array) as an object with
// index keys. BigInt, and undefined at the top level, yield ErrNotJSON because
// JSON.stringify throws or returns no string for them.
func StringifyJSON(v any) (string, error) {
	if IsUndefined(v) {
		return "", fmt.Errorf("%w: undefined", ErrNotJSON)
	}
	b, err := appendJSON(nil, v, false)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// StringifyJSONLenient is StringifyJSON for contexts that cannot fail, such as
// the v1 update encoder: a BigInt is written as the JS number nearest to it
// (exact digits up to 2^53) and a top-level undefined as null. JS would throw
// in both cases; the output stays valid JSON and parses back to the same text.
func StringifyJSONLenient(v any) string {
	if IsUndefined(v) {
		return "null"
	}
	b, err := appendJSON(nil, v, true)
	if err != nil {
		// Only non-canonical input reaches here, a programmer error as in WriteAny.
		panic(err)
	}
	return string(b)
}

func appendJSON(dst []byte, v any, lenient bool) ([]byte, error) {
	switch v := v.(type) {
	case nil, undefinedType:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case string:
		return appendJSONString(dst, v), nil
	case int64:
		return appendJSInt(dst, v), nil
	case float64:
		if !isFinite(v) {
			return append(dst, "null"...), nil
		}
		return appendJSNumber(dst, v), nil
	case BigInt:
		if lenient {
			// As the number JS would get from Number(v), so that parsing the
			// text and stringifying again gives the same text.
			return appendJSInt(dst, int64(v)), nil
		}
		return nil, fmt.Errorf("%w: BigInt value %d", ErrNotJSON, int64(v))
	case []byte:
		return appendJSONBytes(dst, v), nil
	case []any:
		return appendJSONArray(dst, v, lenient)
	case Object:
		return appendJSONObject(dst, v, lenient)
	case *Object:
		return appendJSONObject(dst, *v, lenient)
	}
	return nil, fmt.Errorf("%w: Go type %T", ErrNotCanonical, v)
}

func appendJSONArray(dst []byte, arr []any, lenient bool) ([]byte, error) {
	dst = append(dst, '[')
	for i, x := range arr {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendJSON(dst, x, lenient); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

func appendJSONObject(dst []byte, o Object, lenient bool) ([]byte, error) {
	dst = append(dst, '{')
	first := true
	var err error
	o.Range(func(k string, x any) bool {
		if IsUndefined(x) {
			return true // JSON.stringify drops undefined properties
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst, err = appendJSON(dst, x, lenient)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

// appendJSONBytes mirrors JSON.stringify(Uint8Array): an object keyed by index.
func appendJSONBytes(dst []byte, b []byte) []byte {
	dst = append(dst, '{')
	for i, x := range b {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = strconv.AppendInt(dst, int64(i), 10)
		dst = append(dst, '"', ':')
		dst = strconv.AppendUint(dst, uint64(x), 10)
	}
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as JSON.stringify does. Invalid UTF-8 bytes become
// U+FFFD, as the JS string they stand for would have contained it.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, replacementChar...)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
			continue
		}
		dst = appendJSONASCII(dst, c)
		i++
	}
	return append(dst, '"')
}

func appendJSONASCII(dst []byte, c byte) []byte {
	switch c {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	if c < 0x20 {
		return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
	}
	return append(dst, c)
}
