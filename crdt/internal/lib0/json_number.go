package lib0

import (
	"math"
	"strconv"
	"strings"
)

// appendJSNumber appends f formatted as JavaScript's Number.prototype.toString
// (ECMA-262 Number::toString) would, except that non-finite values, which
// JSON.stringify writes as null, are the caller's concern.
//
// Go's shortest round-trip digits ('e' with precision -1) are the same digits
// JS chooses; only the layout rules differ, and they are applied here.
func appendJSNumber(dst []byte, f float64) []byte {
	if f == 0 {
		return append(dst, '0') // both +0 and -0 print as "0"
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	digits, n := shortestDigits(f)
	k := len(digits)
	switch {
	case k <= n && n <= 21:
		dst = append(dst, digits...)
		for i := 0; i < n-k; i++ {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, digits[:n]...)
		dst = append(dst, '.')
		dst = append(dst, digits[n:]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for i := 0; i < -n; i++ {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	default:
		dst = append(dst, digits[0])
		if k > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if n-1 >= 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(n-1), 10)
	}
	return dst
}

// shortestDigits returns the shortest decimal digits d1..dk of a positive finite
// f and the exponent n such that f = 0.d1..dk × 10^n.
func shortestDigits(f float64) (digits string, n int) {
	s := strconv.FormatFloat(f, 'e', -1, 64) // "d.ddde±XX" or "de±XX"
	mant, exp, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(exp)
	return strings.Replace(mant, ".", "", 1), e + 1
}

// appendJSInt formats an int64 the way JS prints the same number value.
func appendJSInt(dst []byte, v int64) []byte {
	if v >= -maxDecodable && v <= maxDecodable {
		return strconv.AppendInt(dst, v, 10)
	}
	// Beyond 2^53 a JS number is a rounded double; print what JS would print.
	return appendJSNumber(dst, float64(v))
}

func isFinite(f float64) bool { return !math.IsInf(f, 0) && !math.IsNaN(f) }
