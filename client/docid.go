package client

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidDocID is returned by Dial for a document id the server would refuse; the error names the reason.
var ErrInvalidDocID = errors.New("meridian/client: invalid document id")

// maxDocIDLen is the server's limit on a document id, in bytes (server.MaxDocIDLen).
const maxDocIDLen = 512

// ValidateDocID applies the server's document id rule (server.ValidateDocID) before dialing, so that a typo
// fails at once with the offending character named, instead of as a refused or misrouted connection: the id
// goes into the URL path unescaped, and a '?' or '#' in it would silently address another document. Like the
// server, it refuses "." and ".." segments, which URL resolution would fold into another document's id.
func ValidateDocID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: empty", ErrInvalidDocID)
	}
	if len(id) > maxDocIDLen {
		return fmt.Errorf("%w: %d bytes, the limit is %d", ErrInvalidDocID, len(id), maxDocIDLen)
	}
	for i := 0; i < len(id); i++ {
		if !docIDByte(id[i]) {
			return fmt.Errorf("%w: %q has %q at byte %d; allowed: A-Z a-z 0-9 . _ ~ : / -", ErrInvalidDocID, id, id[i], i)
		}
	}
	if i, seg := dotSegment(id); seg != "" {
		return fmt.Errorf("%w: %q has a %q segment at byte %d; ids are not paths, use another name", ErrInvalidDocID, id, seg, i)
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
