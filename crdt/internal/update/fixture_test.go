package update

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// tracesDir finds ../shared/traces next to the repository root (the directory
// holding go.mod).
func tracesDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "traces")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(tracesDir(tb), "yjs-fixtures", name))
	if err != nil {
		tb.Fatalf("fixture %s: %v", name, err)
	}
	return b
}

// readUpdateStream reads a <trace>.updates.v1.bin.gz fixture: varUint N, then N
// varUint8Array updates.
func readUpdateStream(tb testing.TB, name string) [][]byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(readFixture(tb, name)))
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatal(err)
	}
	dec := lib0.NewDecoder(raw)
	n, err := dec.ReadVarUint()
	if err != nil {
		tb.Fatal(err)
	}
	ups := make([][]byte, 0, n)
	for range n {
		u, err := dec.ReadVarBytes()
		if err != nil {
			tb.Fatal(err)
		}
		ups = append(ups, u)
	}
	return ups
}
