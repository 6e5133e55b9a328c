package main

import (
	"strings"
	"testing"

	"github.com/meridian-sync/meridian/client"
	"github.com/meridian-sync/meridian/server"
)

// The Go SDK checks document ids before dialing so a typo fails at once; its rule must agree with the
// server's byte for byte. The check lives here because cmd is the one place that imports both.
func TestClientDocIDRuleMatchesTheServers(t *testing.T) {
	ids := []string{"notes", "team/notes-1.md", "a:b~c_d", "", "with space", "query?x", "frag#x", "pct%20",
		"ümlaut", "nul\x00",
		".", "..", "./a", "../a", "a/.", "a/..", "a/./b", "a/../b", "...", "a/.../b", ".a/b.", "a..b", "/a", "a//b", strings.Repeat("x", server.MaxDocIDLen), strings.Repeat("x", server.MaxDocIDLen+1)}
	for c := 0; c < 256; c++ {
		ids = append(ids, "d"+string(rune(c)))
	}
	for _, id := range ids {
		clientErr, serverErr := client.ValidateDocID(id), server.ValidateDocID(id)
		if (clientErr == nil) != (serverErr == nil) {
			t.Errorf("id %q: client says %v, server says %v", id, clientErr, serverErr)
		}
	}
}

func FuzzClientDocIDRuleMatchesTheServers(f *testing.F) {
	for _, seed := range []string{"notes", "team/notes-1.md", "", "a b", "x?y", "ü", "a/../b", "./x", strings.Repeat("z", server.MaxDocIDLen+1)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		clientErr, serverErr := client.ValidateDocID(id), server.ValidateDocID(id)
		if (clientErr == nil) != (serverErr == nil) {
			t.Fatalf("id %q: client says %v, server says %v", id, clientErr, serverErr)
		}
	})
}
