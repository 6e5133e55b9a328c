package server

import "fmt"

// MaxDocIDLen is the longest document id accepted, in bytes.
const MaxDocIDLen = 512

// ValidateDocID checks a document id: 1 to 512 bytes of [A-Za-z0-9._~:/-]. The set excludes '%', so the
// id in a URL needs no decoding, and excludes 0x00, which the store's key layout relies on.
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
	return nil
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
