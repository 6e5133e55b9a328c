//go:build release

package web

import (
	"net/http"
	"strings"
	"testing"
)

// A release binary carries the bundle: it serves the app whatever its working directory.
func TestReleaseBuildEmbedsTheBundle(t *testing.T) {
	t.Chdir(t.TempDir())
	res, body := get(t, Handler(), http.MethodGet, "/")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `src="app.js"`) {
		t.Fatalf("GET / = %d %q, want the embedded index.html loading app.js", res.StatusCode, body)
	}
	if res, _ := get(t, Handler(), http.MethodGet, "/app.js"); res.StatusCode != http.StatusOK {
		t.Fatalf("GET /app.js = %d, want the embedded bundle", res.StatusCode)
	}
}
