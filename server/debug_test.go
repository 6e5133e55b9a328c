package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestDebugAddrIsLoopbackOnly(t *testing.T) {
	for addr, ok := range map[string]bool{
		"":               true,
		"127.0.0.1:6060": true,
		"[::1]:6060":     true,
		"localhost:6060": true,
		":6060":          false, // every interface
		"0.0.0.0:6060":   false,
		"10.1.2.3:6060":  false,
		"example.com:80": false,
		"127.0.0.1":      false, // no port
	} {
		err := validateDebugAddr(addr)
		if (err == nil) != ok {
			t.Errorf("validateDebugAddr(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
	cfg := Config{DataDir: t.TempDir(), Listen: ":0", Dev: true, DebugAddr: "0.0.0.0:6060"}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "--debug-addr") {
		t.Fatalf("Validate accepted a non-loopback debug address: %v", err)
	}
}

func TestDebugListenerServesProfiles(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.DebugAddr = "127.0.0.1:0" })
	addr, stop, err := ts.srv.startDebug()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile") {
		t.Fatalf("status %d, body %.200q", resp.StatusCode, body)
	}
	// ...and the client port does not serve them.
	if code, _ := ts.request("GET", "/debug/pprof/", "", nil); code == http.StatusOK {
		t.Fatal("the client port serves the profiler")
	}
}
