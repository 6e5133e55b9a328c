package server

import (
	"fmt"
	"strings"
)

// MaxDocIDLen is the longest document id accepted, in bytes.
const MaxDocIDLen = 512

// ValidateDocID checks a document id: 1 to 512 bytes of [A-Za-z0-9._~:/-], with no "." or ".." segment. The
// set excludes '%', so the id in a URL needs no decoding, and excludes 0x00, which the store's key layout
// relies on. Dot segments are refused because every layer that sees the id as a path (ServeMux, proxies,
// browsers, URL resolution) would resolve them, so "a/../b" would name one document on one path and "b" on
// another; refusing them keeps one id one document everywhere.
func ValidateDocID(id string) error {
	if id == "" {
		return fmt.Errorf("empty document id")
	}
	if len(id) > MaxDocIDLen {
		return fmt.Errorf("document id is %d bytes, the limit is %d", len(id), MaxDocIDLen)
	}
	for i := 0; i < len(id); i++ {
		if !docIDByte(id[i]) {
			return fmt.Errorf("document id has %q at byte %d; allowed: A-Z a-z 0-9 . _ ~ : / -", id[i], i)
		}
	}
	if i, seg := dotSegment(id); seg != "" {
		return fmt.Errorf("document id has a %q segment at byte %d; ids are not paths, use another name", seg, i)
	}
	return nil
}

// dotSegment finds the first "." or ".." segment of id (split on '/'), with its byte offset; "" if none.
func dotSegment(id string) (int, string) {
	off := 0
	for seg := range strings.SplitSeq(id, "/") {
		if seg == "." || seg == ".." {
			return off, seg
		}
		off += len(seg) + 1
	}
	return 0, ""
}

func docIDByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '.', '_', '~', ':', '/', '-':
		return true
	}
	return false
}
