package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeNode answers /readyz like a node whose readiness the test controls.
func fakeNode(t *testing.T, ready *atomic.Bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		if !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"error":"not ready"}`))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHealthcheckExitCodeFollowsReadiness(t *testing.T) {
	var ready atomic.Bool
	srv := fakeNode(t, &ready)
	hostPort := strings.TrimPrefix(srv.URL, "http://")

	var out, errOut bytes.Buffer
	if code := run([]string{"healthcheck", "--addr", hostPort}, nil, &out, &errOut); code != 1 {
		t.Fatalf("not ready: exit %d, want 1 (stderr %q)", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "503") || !strings.Contains(errOut.String(), "not ready") {
		t.Errorf("stderr should give the status and the server's reason, got %q", errOut.String())
	}

	ready.Store(true)
	for _, addr := range []string{hostPort, srv.URL, srv.URL + "/"} {
		out.Reset()
		errOut.Reset()
		if code := run([]string{"healthcheck", "--addr", addr}, nil, &out, &errOut); code != 0 {
			t.Fatalf("ready, --addr %s: exit %d, stderr %q", addr, code, errOut.String())
		}
		if out.String() != "ready\n" {
			t.Errorf("stdout = %q, want ready", out.String())
		}
	}
}

func TestHealthcheckFailsOnUnreachableOrSlowNode(t *testing.T) {
	// A listener that is closed: nothing answers there.
	dead := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(dead.URL, "http://")
	dead.Close()
	var errOut bytes.Buffer
	if code := run([]string{"healthcheck", "--addr", addr}, nil, &bytes.Buffer{}, &errOut); code != 1 {
		t.Fatalf("unreachable node: exit %d, want 1", code)
	}

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	start := time.Now()
	if code := run([]string{"healthcheck", "--addr", slow.URL, "--timeout", "200ms"}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 1 {
		t.Fatalf("slow node: exit %d, want 1", code)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("--timeout 200ms took %v", took)
	}
}

func TestHealthcheckRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"healthcheck", "--addr", "no-port"},
		{"healthcheck", "--addr", "ftp://host:21"},
	} {
		var errOut bytes.Buffer
		if code := run(args, nil, &bytes.Buffer{}, &errOut); code != 1 || errOut.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q; want 1 and an explanation", args, code, errOut.String())
		}
	}
	if code := run([]string{"healthcheck", "extra"}, nil, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("positional argument: exit %d, want 2 (usage)", code)
	}
}

func TestLoopbackForListenAddresses(t *testing.T) {
	cases := map[string]string{
		"":               "127.0.0.1:8080",
		":9000":          "127.0.0.1:9000",
		"0.0.0.0:8080":   "127.0.0.1:8080",
		"[::]:8080":      "127.0.0.1:8080",
		"10.1.2.3:8080":  "10.1.2.3:8080",
		"localhost:8081": "localhost:8081",
	}
	for listen, want := range cases {
		if got := loopbackFor(listen); got != want {
			t.Errorf("loopbackFor(%q) = %q, want %q", listen, got, want)
		}
	}
}

// A node started with --tls-cert serves https only: with MERIDIAN_TLS_CERT set, the default check of the
// container's own node speaks https to loopback; without it, the same plain-http check fails.
func TestHealthcheckOfOwnNodeFollowsTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ready\n"))
	}))
	t.Cleanup(srv.Close)
	t.Setenv("MERIDIAN_LISTEN", strings.TrimPrefix(srv.URL, "https://"))

	var out, errOut bytes.Buffer
	t.Setenv("MERIDIAN_TLS_CERT", "")
	if code := run([]string{"healthcheck"}, nil, &out, &errOut); code == 0 {
		t.Fatal("plain http to a TLS-only node must fail")
	}
	t.Setenv("MERIDIAN_TLS_CERT", "/etc/meridian/tls.crt")
	out.Reset()
	errOut.Reset()
	if code := run([]string{"healthcheck"}, nil, &out, &errOut); code != 0 || out.String() != "ready\n" {
		t.Fatalf("with MERIDIAN_TLS_CERT set: exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	// An explicit https address is verified as usual: the test server's certificate is not trusted.
	errOut.Reset()
	if code := run([]string{"healthcheck", "--addr", srv.URL}, nil, &out, &errOut); code == 0 {
		t.Fatal("an explicit https --addr must verify the certificate")
	}
}
