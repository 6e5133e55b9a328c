package crdt

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

// hx parses space-separated hex as written in yjs-protocol.md.
func hx(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func wantBytes(t testing.TB, what string, got []byte, want string) {
	t.Helper()
	if w := hx(t, want); !bytes.Equal(got, w) {
		t.Errorf("%s:\n got  % x\n want % x", what, got, w)
	}
}

// recorder collects the v1 updates a document emits.
func recorder(d *Doc) *[][]byte {
	var ups [][]byte
	d.OnUpdate(func(u []byte, _ any) { ups = append(ups, u) })
	return &ups
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
