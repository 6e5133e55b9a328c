//go:build !release

package web

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The default build reads web/dist relative to the working directory at each request, so a bundle built
// while the server runs shows on reload.
func TestDefaultBuildReadsTheBundleFromDisk(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	h := Handler()
	if res, body := get(t, h, http.MethodGet, "/"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "make web") {
		t.Fatalf("before the build: GET / = %d %q, want the make web page", res.StatusCode, body)
	}
	dist := filepath.Join(dir, filepath.FromSlash(DistDir))
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte("<title>built</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if res, body := get(t, h, http.MethodGet, "/"); res.StatusCode != http.StatusOK || !strings.Contains(body, "built") {
		t.Fatalf("after the build: GET / = %d %q, want the bundle's index.html", res.StatusCode, body)
	}
}
