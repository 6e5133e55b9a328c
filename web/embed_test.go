package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t *testing.T, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestServesTheBundle(t *testing.T) {
	h := FSHandler(fstest.MapFS{
		"index.html": {Data: []byte("<!doctype html><title>Meridian</title>")},
		"app.js":     {Data: []byte("console.log(1)")},
		"app.css":    {Data: []byte("body{}")},
	})
	tests := []struct {
		target, wantType, wantBody string
	}{
		{"/", "text/html; charset=utf-8", "<title>Meridian</title>"},
		{"/app.js", "text/javascript; charset=utf-8", "console.log(1)"},
		{"/app.css", "text/css; charset=utf-8", "body{}"},
	}
	for _, tc := range tests {
		res, body := get(t, h, http.MethodGet, tc.target)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, tc.wantBody) {
			t.Errorf("GET %s = %d %q, want 200 with %q", tc.target, res.StatusCode, body, tc.wantBody)
		}
		if got := res.Header.Get("Content-Type"); got != tc.wantType {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.target, got, tc.wantType)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache so a rebuilt bundle is picked up", tc.target, got)
		}
	}
}

func TestRefusesWhatIsNotAFile(t *testing.T) {
	h := FSHandler(fstest.MapFS{
		"index.html":      {Data: []byte("app")},
		"assets/logo.svg": {Data: []byte("<svg/>")},
	})
	for _, target := range []string{"/missing.js", "/assets/", "/assets", "/../etc/passwd"} {
		if res, _ := get(t, h, http.MethodGet, target); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404 (no directory listings, no escaping the bundle)", target, res.StatusCode)
		}
	}
	if res, _ := get(t, h, http.MethodPost, "/"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d, want 405", res.StatusCode)
	}
	if res, body := get(t, h, http.MethodHead, "/assets/logo.svg"); res.StatusCode != http.StatusOK || body != "" {
		t.Errorf("HEAD /assets/logo.svg = %d %q, want 200 without a body", res.StatusCode, body)
	}
}

func TestExplainsAMissingBundle(t *testing.T) {
	for name, h := range map[string]http.Handler{
		"empty fs":        FSHandler(fstest.MapFS{}),
		"missing dir":     DirHandler(t.TempDir() + "/nothing-here"),
		"dir, not built":  DirHandler(t.TempDir()),
		"asset, no index": FSHandler(fstest.MapFS{"app.js": {Data: []byte("x")}}),
	} {
		res, body := get(t, h, http.MethodGet, "/")
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "make web") {
			t.Errorf("%s: GET / = %d %q, want 503 telling to run make web", name, res.StatusCode, body)
		}
		if res, _ := get(t, h, http.MethodGet, "/app.js"); res.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: GET /app.js = %d, want 503 while not built", name, res.StatusCode)
		}
	}
}
