package client

import (
	"errors"
	"fmt"
)

// ErrInvalidDocID is returned by Dial for a document id the server would refuse; the error names the reason.
var ErrInvalidDocID = errors.New("meridian/client: invalid document id")

// maxDocIDLen is the server's limit on a document id, in bytes (server.MaxDocIDLen).
const maxDocIDLen = 512

// ValidateDocID applies the server's document id rule (server.ValidateDocID) before dialing, so that a typo
// fails at once with the offending character named, instead of as a refused or misrouted connection: the id
// goes into the URL path unescaped, and a '?' or '#' in it would silently address another document.
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
