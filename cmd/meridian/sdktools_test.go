package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/client"
	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/server"
)

// The SDK tools are driven in-process (run, as main does) against a real server, also in-process: its HTTP
// handler on a loopback listener with a temporary data directory, tokens required.

const sdkTestSecret = "sdk-tools-test-secret-0123456789abcdef"

type sdkServer struct {
	url string // the WebSocket endpoint, ws://127.0.0.1:port/ws
}

func startSDKServer(t *testing.T) sdkServer {
	t.Helper()
	hs := serveForTest(t, server.Config{DataDir: t.TempDir(), Listen: ":0", JWTSecret: sdkTestSecret,
		Region: "sdk-region", Node: "sdk-node"})
	return sdkServer{url: "ws" + strings.TrimPrefix(hs.URL, "http") + "/ws"}
}

// serveForTest runs a server of cfg (logging nowhere) behind an httptest server, shut down when the test
// ends, and returns the httptest server.
func serveForTest(t *testing.T, cfg server.Config) *httptest.Server {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		hs.Close()
	})
	return hs
}

func sdkToken(t *testing.T, perm string, docs ...string) string {
	t.Helper()
	tok, err := server.TokenOptions{Secret: sdkTestSecret, Docs: docs, Perm: perm, TTL: time.Hour}.Mint()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// dialDoc opens docID with the Go SDK, synced.
func (s sdkServer) dialDoc(t *testing.T, docID string) *client.Client {
	t.Helper()
	// The client lives as long as Dial's context: the wait for the first sync has a deadline of its own.
	c, err := client.Dial(context.Background(), s.url, docID, client.WithToken(sdkToken(t, "write", docID)), client.WithoutWait())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

func edit(t *testing.T, c *client.Client, fn func(doc *crdt.Doc) error) {
	t.Helper()
	var fnErr error
	if err := c.Edit(func(doc *crdt.Doc) { fnErr = fn(doc) }); err != nil || fnErr != nil {
		t.Fatal(err, fnErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.WaitSaved(ctx); err != nil {
		t.Fatal(err)
	}
}

// lineBuffer is a stdout that a test can wait on, line by line, while the tool writes from another goroutine.
type lineBuffer struct {
	mu    sync.Mutex
	b     strings.Builder
	wrote chan struct{}
}

func newLineBuffer() *lineBuffer { return &lineBuffer{wrote: make(chan struct{}, 1)} }

func (l *lineBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Write(p)
	select {
	case l.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (l *lineBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitForLine waits until a written line satisfies match; it fails the test after a generous timeout.
func (l *lineBuffer) waitForLine(t *testing.T, what string, match func(line string) bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		for _, line := range strings.Split(l.String(), "\n") {
			if match(line) {
				return
			}
		}
		select {
		case <-l.wrote:
		case <-deadline:
			t.Fatalf("no line with %s in:\n%s", what, l.String())
		}
	}
}

func TestCatPrintsTheDocumentAsJSON(t *testing.T) {
	s := startSDKServer(t)
	writer := s.dialDoc(t, "cat/doc")
	edit(t, writer, func(doc *crdt.Doc) error {
		if err := doc.GetText("body").Insert(0, "Hello, cat", nil); err != nil {
			return err
		}
		return doc.GetMap("meta").Set("title", "Greeting")
	})
	t.Setenv("MERIDIAN_TOKEN", sdkToken(t, "read", "cat/doc"))
	code, stdout, stderr := runCLI(t, nil, "cat", "--url", s.url, "cat/doc")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("cat printed no JSON (%v):\n%s", err, stdout)
	}
	want := map[string]any{"body": "Hello, cat", "meta": map[string]any{"title": "Greeting"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("cat printed %v, want %v", got, want)
	}
}

func TestWatchPrintsRemoteChangesUntilItsContextEnds(t *testing.T) {
	s := startSDKServer(t)
	editor := s.dialDoc(t, "watch/doc")
	edit(t, editor, func(doc *crdt.Doc) error { return doc.GetText("text").Insert(0, "first", nil) })

	out := newLineBuffer()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	flags := sdkFlags{url: s.url, token: sdkToken(t, "read", "watch/doc"), timeout: 30 * time.Second}
	go func() { done <- watchDoc(ctx, flags, "watch/doc", out, io.Discard) }()

	out.waitForLine(t, "the initial text", func(line string) bool { return line == `{"root":"text","value":"first"}` })
	edit(t, editor, func(doc *crdt.Doc) error { return doc.GetText("text").Insert(5, " and second", nil) })
	out.waitForLine(t, "the remote change", func(line string) bool { return line == `{"root":"text","value":"first and second"}` })
	edit(t, editor, func(doc *crdt.Doc) error { return doc.GetMap("meta").Set("n", 1) })
	out.waitForLine(t, "the new root", func(line string) bool { return line == `{"root":"meta","value":{"n":1}}` })
	if n := strings.Count(out.String(), `"root":"text"`); n != 2 {
		t.Errorf("the text root was printed %d times, want 2 (only when it changes):\n%s", n, out.String())
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("watch ended with %v, want nil after its context ended", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("watch did not stop when its context ended")
	}
}

func TestWatchStopsOnInterrupt(t *testing.T) {
	s := startSDKServer(t)
	editor := s.dialDoc(t, "watch/signal")
	edit(t, editor, func(doc *crdt.Doc) error { return doc.GetText("text").Insert(0, "x", nil) })

	t.Setenv("MERIDIAN_TOKEN", sdkToken(t, "read", "watch/signal"))
	out := newLineBuffer()
	code := make(chan int, 1)
	go func() { code <- run([]string{"watch", "--url", s.url, "watch/signal"}, nil, out, io.Discard) }()
	// The first line comes after watch has dialed, so its signal handler is in place: SIGINT cannot kill the
	// test process.
	out.waitForLine(t, "the initial text", func(line string) bool { return strings.Contains(line, `"value":"x"`) })
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("watch exited %d after SIGINT, want 0", c)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("watch did not stop on SIGINT")
	}
}

// put computes a minimal diff: an edit made concurrently elsewhere in the text (on a replica that had not
// seen put's change) survives in place. Had put deleted and reinserted the whole text, the concurrent
// insertion would end up at an edge of it, not between "fox" and " jumps".
func TestPutReplacesTheTextAsAMinimalEdit(t *testing.T) {
	s := startSDKServer(t)
	const docID = "put/doc"
	editor := s.dialDoc(t, docID)
	edit(t, editor, func(doc *crdt.Doc) error { return doc.GetText("text").Insert(0, "The quick brown fox jumps", nil) })

	// A replica forks from the same state and inserts " lazily" after "fox", offline.
	replica := crdt.NewDoc()
	editor.Read(func(doc *crdt.Doc) { err := replica.ApplyUpdate(doc.EncodeStateAsUpdate(nil)); mustNot(t, err) })
	before := replica.StateVector()
	mustNot(t, replica.GetText("text").Insert(len("The quick brown fox"), " lazily", nil))
	concurrent := replica.EncodeStateAsUpdate(before)

	t.Setenv("MERIDIAN_TOKEN", sdkToken(t, "write", docID))
	code, stdout, stderr := runCLI(t, []byte("The slow brown fox jumps"), "put", "--url", s.url, docID, "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "saved put/doc (24 bytes) on sdk-region/sdk-node") {
		t.Errorf("put printed %q", stdout)
	}
	edit(t, editor, func(doc *crdt.Doc) error { return doc.ApplyUpdate(concurrent) })

	code, stdout, stderr = runCLI(t, nil, "cat", "--url", s.url, docID)
	if code != 0 {
		t.Fatalf("cat exit %d: %s", code, stderr)
	}
	var got map[string]any
	mustNot(t, json.Unmarshal([]byte(stdout), &got))
	if got["text"] != "The slow brown fox lazily jumps" {
		t.Fatalf("text after put and a concurrent edit = %q, want %q", got["text"], "The slow brown fox lazily jumps")
	}
}

func TestPutFromAFileAndRefusesANonTextRoot(t *testing.T) {
	s := startSDKServer(t)
	editor := s.dialDoc(t, "put/kinds")
	edit(t, editor, func(doc *crdt.Doc) error { return doc.GetMap("meta").Set("k", "v") })
	t.Setenv("MERIDIAN_TOKEN", sdkToken(t, "write", "put/kinds"))

	path := writeFile(t, "body.txt", []byte("from a file\n"))
	if code, _, stderr := runCLI(t, nil, "put", "--url", s.url, "--root", "body", "put/kinds", path); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, _, stderr := runCLI(t, nil, "put", "--url", s.url, "--root", "meta", "put/kinds", path)
	if code != 1 || !strings.Contains(stderr, `root "meta" of put/kinds is a map, not a text`) {
		t.Fatalf("put into a map root: exit %d, stderr %q", code, stderr)
	}
	_, stdout, _ := runCLI(t, nil, "cat", "--url", s.url, "put/kinds")
	var got map[string]any
	mustNot(t, json.Unmarshal([]byte(stdout), &got))
	if !reflect.DeepEqual(got, map[string]any{"body": "from a file\n", "meta": map[string]any{"k": "v"}}) {
		t.Fatalf("document = %v", got)
	}
}

func TestSDKToolsExplainBadInput(t *testing.T) {
	s := startSDKServer(t)
	t.Setenv("MERIDIAN_TOKEN", "")
	good := sdkToken(t, "write", "*")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad URL scheme", []string{"cat", "--token", good, "--url", "ftp://127.0.0.1:1/ws", "d"}, 1, "want a ws, wss, http or https URL"},
		{"URL without host", []string{"cat", "--token", good, "--url", "ws:///ws", "d"}, 1, "has no host"},
		{"missing token", []string{"cat", "--url", s.url, "d"}, 1, "the server wants a token: set MERIDIAN_TOKEN"},
		{"invalid token", []string{"cat", "--token", "not-a-jwt", "--url", s.url, "d"}, 1, "(4401)"},
		{"token for another document", []string{"watch", "--token", sdkToken(t, "read", "other"), "--url", s.url, "d"}, 1, "(4403)"},
		{"bad doc id characters", []string{"cat", "--token", good, "--url", s.url, "my doc?"}, 1, `has ' ' at byte 2`},
		{"bad doc id for put", []string{"put", "--token", good, "--url", s.url, "a#b", "-"}, 1, `has '#' at byte 1`},
		{"missing argument", []string{"put", "--url", s.url, "d"}, 2, "Usage: meridian put"},
		{"unknown flag", []string{"watch", "--nope", "d"}, 2, "flag provided but not defined: -nope"},
		{"missing file", []string{"put", "--token", good, "--url", s.url, "d", "/does/not/exist"}, 1, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, append(tc.args[:1:1], append([]string{"--timeout", "20s"}, tc.args[1:]...)...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
		})
	}
}

func mustNot(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
