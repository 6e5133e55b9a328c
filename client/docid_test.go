package client

import (
	"errors"
	"strings"
	"testing"

	"github.com/meridian-sync/meridian/server"
)

// The client's check must agree with the server's rule, byte for byte: it only exists to fail earlier.
func TestDocIDRuleMatchesTheServers(t *testing.T) {
	ids := []string{"notes", "team/notes-1.md", "a:b~c_d", "", "with space", "query?x", "frag#x", "pct%20",
		"ümlaut", "nul\x00", strings.Repeat("x", maxDocIDLen), strings.Repeat("x", maxDocIDLen+1)}
	for c := 0; c < 256; c++ {
		ids = append(ids, "d"+string(rune(c)))
	}
	for _, id := range ids {
		clientErr, serverErr := validateDocID(id), server.ValidateDocID(id)
		if (clientErr == nil) != (serverErr == nil) {
			t.Errorf("id %q: client says %v, server says %v", id, clientErr, serverErr)
		}
	}
}

func TestDocumentURLRejectsBadIDsAndURLs(t *testing.T) {
	for _, tc := range []struct{ url, doc, want string }{
		{"ws://h/ws", "a b", `has ' ' at byte 1`},
		{"ws://h/ws", "x?y", `has '?' at byte 1`},
		{"ws://h/ws", "", "invalid document id: empty"},
		{"ftp://h/ws", "d", "want a ws, wss, http or https URL"},
		{"ws:///ws", "d", "has no host"},
		{"localhost:8080", "d", "want a ws, wss, http or https URL"},
		{"ws://h/ws?token=x", "d", "not in the URL"},
	} {
		_, err := documentURL(tc.url, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("documentURL(%q, %q) = %v, want an error containing %q", tc.url, tc.doc, err, tc.want)
		}
	}
	if _, err := documentURL("ws://h/ws", "a b"); !errors.Is(err, ErrInvalidDocID) {
		t.Errorf("a bad id gives %v, want ErrInvalidDocID", err)
	}
	got, err := documentURL("https://h:1/ws/", "team/notes")
	if err != nil || got != "wss://h:1/ws/team/notes?meridian_ext=ack%2Chello" {
		t.Fatalf("documentURL = %q, %v", got, err)
	}
}

func FuzzDocIDRuleMatchesTheServers(f *testing.F) {
	for _, seed := range []string{"notes", "team/notes-1.md", "", "a b", "x?y", "ü", strings.Repeat("z", maxDocIDLen+1)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		clientErr, serverErr := validateDocID(id), server.ValidateDocID(id)
		if (clientErr == nil) != (serverErr == nil) {
			t.Fatalf("id %q: client says %v, server says %v", id, clientErr, serverErr)
		}
		if clientErr == nil {
			if _, err := documentURL("ws://h/ws", id); err != nil {
				t.Fatalf("a valid id %q makes no URL: %v", id, err)
			}
		}
	})
}
