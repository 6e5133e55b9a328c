package conformance

import (
	"path/filepath"
	"testing"

	"github.com/meridian-sync/meridian/crdt/conformance/oracle"
)

// tracesDir is ../shared/traces relative to the repository root; the traces are never copied into the repo.
func tracesDir(t testing.TB) string {
	t.Helper()
	root, err := oracle.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "..", "shared", "traces")
}
