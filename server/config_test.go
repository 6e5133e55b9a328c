package server

import (
	"bytes"
	"context"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/server/auth"
)

func TestValidateExplainsMissingKey(t *testing.T) {
	cfg := Config{Listen: ":8080", DataDir: t.TempDir()}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "--jwt-secret") || !strings.Contains(err.Error(), "--dev") {
		t.Fatalf("want advice on configuring a key, got %v", err)
	}
	cfg.JWTSecret = "short"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Fatalf("short secret: %v", err)
	}
	cfg.JWTSecret, cfg.JWKSFile = "", "/does/not/exist.json"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "--jwks-file") {
		t.Fatalf("missing JWKS file: %v", err)
	}
	if _, err := New(Config{Listen: ":0", DataDir: t.TempDir()}); err == nil {
		t.Fatal("New started without a key")
	}
}

func TestDevModeAllowsAnonymousAndSaysSo(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.Dev, c.JWTSecret = true, "" })
	if !strings.Contains(ts.logs.String(), "DEVELOPMENT MODE") {
		t.Fatal("dev mode is not announced")
	}
	c := ts.connect("anything", "")
	c.handshake()
}

func TestFlagsWithEnvironmentFallback(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg Config
	RegisterServeFlags(fs, &cfg)
	env := map[string]string{"MERIDIAN_LISTEN": ":9999", "MERIDIAN_JWT_SECRET": testSecret, "MERIDIAN_DATA": "/env/data",
		"MERIDIAN_MAX_CONNECTIONS_PER_DOC": "7", "MERIDIAN_JWT_ALGORITHMS": "HS256"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if err := ApplyEnv(fs, lookup); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--data", "/flag/data", "--dev"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != ":9999" || cfg.JWTSecret != testSecret || cfg.DataDir != "/flag/data" || !cfg.Dev ||
		cfg.Limits.MaxConnectionsPerDoc != 7 || len(cfg.JWTAlgorithms) != 1 || cfg.Limits.PingInterval != 30*time.Second {
		t.Fatalf("config %+v", cfg)
	}
	bad := map[string]string{"MERIDIAN_MAX_CONNECTIONS": "many"}
	if err := ApplyEnv(fs, func(k string) (string, bool) { v, ok := bad[k]; return v, ok }); err == nil ||
		!strings.Contains(err.Error(), "MERIDIAN_MAX_CONNECTIONS") {
		t.Fatalf("bad env value: %v", err)
	}
}

// TestIOUringFlag: io_uring is on unless --io-uring=false (or MERIDIAN_IO_URING=false) turns it off, and a value
// that is not a boolean is refused with the flag named.
func TestIOUringFlag(t *testing.T) {
	parse := func(env map[string]string, args ...string) (Config, error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var cfg Config
		RegisterServeFlags(fs, &cfg)
		if err := ApplyEnv(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
			return cfg, err
		}
		return cfg, fs.Parse(args)
	}
	if cfg, err := parse(nil); err != nil || cfg.DisableIOUring {
		t.Fatalf("default: disabled=%v err=%v, want io_uring on", cfg.DisableIOUring, err)
	}
	if cfg, err := parse(nil, "--io-uring=false"); err != nil || !cfg.DisableIOUring {
		t.Fatalf("--io-uring=false: disabled=%v err=%v", cfg.DisableIOUring, err)
	}
	if cfg, err := parse(map[string]string{"MERIDIAN_IO_URING": "false"}, "--io-uring"); err != nil || cfg.DisableIOUring {
		t.Fatalf("the flag must win over the environment: disabled=%v err=%v", cfg.DisableIOUring, err)
	}
	if cfg, err := parse(map[string]string{"MERIDIAN_IO_URING": "false"}); err != nil || !cfg.DisableIOUring {
		t.Fatalf("MERIDIAN_IO_URING=false: disabled=%v err=%v", cfg.DisableIOUring, err)
	}
	if _, err := parse(nil, "--io-uring=maybe"); err == nil || !strings.Contains(err.Error(), "io-uring") ||
		!strings.Contains(err.Error(), "true or false") {
		t.Fatalf("--io-uring=maybe: %v", err)
	}
	if _, err := parse(map[string]string{"MERIDIAN_IO_URING": "sometimes"}); err == nil ||
		!strings.Contains(err.Error(), "MERIDIAN_IO_URING") {
		t.Fatalf("MERIDIAN_IO_URING=sometimes: %v", err)
	}
}

func TestRunTokenMintsVerifiableTokens(t *testing.T) {
	var out bytes.Buffer
	env := func(k string) (string, bool) {
		if k == "MERIDIAN_JWT_SECRET" {
			return testSecret, true
		}
		return "", false
	}
	if err := RunToken([]string{"--doc", "team/*", "--perm", "read", "--presence", "--ttl", "1h"}, env, &out); err != nil {
		t.Fatal(err)
	}
	v, _ := auth.NewVerifier(auth.Config{HS256Secret: []byte(testSecret)})
	p, err := v.Verify(strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatal(err)
	}
	if a := p.Access("team/x"); a != (auth.Access{Read: true, Presence: true}) {
		t.Fatalf("access %+v", a)
	}
	if err := RunToken([]string{"--doc", "x"}, func(string) (string, bool) { return "", false }, &out); err == nil ||
		!strings.Contains(err.Error(), "MERIDIAN_JWT_SECRET") {
		t.Fatalf("no secret: %v", err)
	}
}

func TestRunServeStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunServe(ctx, []string{"--listen", "127.0.0.1:0", "--data", t.TempDir(), "--jwt-secret", testSecret}, func(string) (string, bool) { return "", false }, nil, nil)
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestValidateDocID(t *testing.T) {
	for _, ok := range []string{"a", "team/notes:1", "A-Z_a.z~0-9", strings.Repeat("x", 512)} {
		if err := ValidateDocID(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a b", "a%2F", "a?b", "é", "a\x00b", strings.Repeat("x", 513)} {
		if err := ValidateDocID(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzValidateDocID(f *testing.F) {
	f.Add("team/notes")
	f.Add("a%20b")
	f.Fuzz(func(t *testing.T, id string) {
		if ValidateDocID(id) == nil && (len(id) == 0 || len(id) > MaxDocIDLen || strings.ContainsAny(id, "\x00%?# ")) {
			t.Fatalf("accepted %q", id)
		}
	})
}
