package main

// Every update the generator types carries a marker naming its sender and sequence number, so a receiver can
// tell which update arrived without decoding Yjs: content strings travel verbatim in update encoding v1, and
// servers that merge several updates into one frame (Hocuspocus) keep each marker intact.
//
// Layout: '~', 6 decimal digits of sender, 7 of sequence, '~'.
const (
	markerLen    = 15
	senderDigits = 6
	seqDigits    = 7
	maxSenders   = 999_999
	maxSeq       = 9_999_999
)

// appendMarker appends the marker of (sender, seq) to b.
func appendMarker(b []byte, sender, seq int) []byte {
	b = append(b, '~')
	b = appendDigits(b, sender, senderDigits)
	b = appendDigits(b, seq, seqDigits)
	return append(b, '~')
}

func appendDigits(b []byte, v, width int) []byte {
	start := len(b)
	for range width {
		b = append(b, '0')
	}
	for i := len(b) - 1; i >= start && v > 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}

// scanMarkers calls found for every well-formed marker in b.
func scanMarkers(b []byte, found func(sender, seq int)) {
	for i := 0; i+markerLen <= len(b); i++ {
		if b[i] != '~' || b[i+markerLen-1] != '~' {
			continue
		}
		sender, ok1 := parseDigits(b[i+1 : i+1+senderDigits])
		seq, ok2 := parseDigits(b[i+1+senderDigits : i+markerLen-1])
		if ok1 && ok2 {
			found(sender, seq)
			i += markerLen - 1
		}
	}
}

func parseDigits(b []byte) (int, bool) {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
