package client

import (
	"errors"
	"strings"
	"testing"
)

// The client's rule agrees with the server's byte for byte: cmd/meridian's docid_agreement_test.go checks it
// (this package may not import the server).

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

func FuzzDocumentURL(f *testing.F) {
	for _, seed := range []string{"notes", "team/notes-1.md", "", "a b", "x?y", "ü", strings.Repeat("z", maxDocIDLen+1)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		u, err := documentURL("ws://h/ws", id)
		if (err == nil) != (ValidateDocID(id) == nil) {
			t.Fatalf("id %q: documentURL says %v, ValidateDocID says %v", id, err, ValidateDocID(id))
		}
		if err == nil && !strings.HasPrefix(u, "ws://h/ws/"+id+"?") {
			t.Fatalf("id %q makes %q", id, u)
		}
	})
}
