package lib0

import (
	"encoding/hex"
	"strings"
	"testing"
)

// unhex decodes a hex string that may contain spaces, as the spec writes bytes.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }
