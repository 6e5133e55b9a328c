package client_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The tests run against real `meridian serve` processes, built once by TestMain (or taken from MERIDIAN_BIN).
const testSecret = "client-test-secret-0123456789-abcdef"

var meridianBin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if bin := os.Getenv("MERIDIAN_BIN"); bin != "" {
		meridianBin = bin
	} else {
		dir, err := os.MkdirTemp("", "meridian-client-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		meridianBin = filepath.Join(dir, "meridian")
		build := exec.Command(goTool(), "build", "-o", meridianBin, "./cmd/meridian")
		build.Dir = ".."
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building meridian:", err)
			return 1
		}
	}
	stopExample := startExampleServer()
	defer stopExample()
	return m.Run()
}

// goTool finds the go command: on PATH, or in the GOROOT of the toolchain running the tests.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// syncBuffer collects a process's output safely.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is one `meridian serve` process; restart keeps its port and data directory.
type server struct {
	t    testing.TB
	dir  string
	addr string
	cmd  *exec.Cmd
	logs *syncBuffer
	// extra are more `meridian serve` flags; env replaces MERIDIAN_JWT_SECRET=testSecret when set.
	extra []string
	env   []string
}

func startServer(t testing.TB) *server {
	t.Helper()
	return startServerWith(t, nil, nil)
}

// startServerWith starts `meridian serve` with more flags and, when env is not nil, those variables instead
// of the test secret.
func startServerWith(t testing.TB, extra, env []string) *server {
	t.Helper()
	s := &server{t: t, dir: t.TempDir(), addr: freeAddr(t), logs: &syncBuffer{}, extra: extra, env: env}
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("server logs:\n%s", s.logs.String())
		}
	})
	return s
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *server) start() error {
	args := []string{"serve", "--listen", s.addr, "--data", s.dir, "--region", "test-region", "--node", "node-a",
		"--jwt-leeway", "0s"}
	s.cmd = exec.Command(meridianBin, append(args, s.extra...)...)
	if s.env != nil {
		s.cmd.Env = append(os.Environ(), s.env...)
	} else {
		s.cmd.Env = append(os.Environ(), "MERIDIAN_JWT_SECRET="+testSecret)
	}
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + s.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("meridian serve did not become ready:\n%s", s.logs.String())
}

// stop shuts the server down gracefully (SIGTERM).
func (s *server) stop() { s.signal(syscall.SIGTERM) }

// crash kills the server without warning (SIGKILL): only what it fsynced survives.
func (s *server) crash() { s.signal(syscall.SIGKILL) }

func (s *server) signal(sig syscall.Signal) {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(sig)
	_ = s.cmd.Wait()
	s.cmd = nil
}

func (s *server) restart() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatal(err)
	}
}

// url is the WebSocket endpoint to Dial.
func (s *server) url() string { return "ws://" + s.addr + "/ws" }

// token mints an HS256 token as the server expects: docs granted with perm ("read" or "write").
func token(t testing.TB, perm string, ttl time.Duration, docs ...string) string {
	t.Helper()
	type grant struct {
		Pattern string `json:"pattern"`
		Perm    string `json:"perm"`
	}
	type claims struct {
		jwt.RegisteredClaims
		Docs []grant `json:"docs"`
	}
	now := time.Now()
	c := claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "client-test", IssuedAt: jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Second)), ExpiresAt: jwt.NewNumericDate(now.Add(ttl))}}
	for _, d := range docs {
		c.Docs = append(c.Docs, grant{Pattern: d, Perm: perm})
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func freeListener() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// panicTB lets token() run outside a test (for the examples' server).
type panicTB struct{ testing.TB }

func (panicTB) Helper()           {}
func (panicTB) Fatal(args ...any) { panic(fmt.Sprint(args...)) }
