package oracle

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// harnessScript is the oracle entry point, relative to the repository root.
const harnessScript = "crdt/conformance/harness/oracle.mjs"

// Oracle is one running node process that answers questions about Yjs.
// Its methods are safe for concurrent use; calls are answered one at a time.
type Oracle struct {
	mu struct {
		sync.Mutex
		stdin  io.WriteCloser
		stdout *bufio.Reader
		nextID uint64
		broken error // set once the stream is unusable; every later call returns it
	}
}

// Start spawns the oracle for tb and registers its shutdown with tb.Cleanup. It fails tb with an
// actionable message when the repository root, node, or the installed Yjs cannot be found.
func Start(tb testing.TB) *Oracle {
	tb.Helper()
	root, err := RepoRoot()
	if err != nil {
		tb.Fatalf("oracle: %v", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Fatalf("oracle: node is not on PATH (install Node.js >= 20 to run the Yjs conformance tests): %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "yjs", "package.json")); err != nil {
		tb.Fatalf("oracle: Yjs is not installed in %s/node_modules; run `npm ci` in %s: %v", root, root, err)
	}
	o, wait, err := spawn(tb, node, root)
	if err != nil {
		tb.Fatalf("oracle: %v", err)
	}
	tb.Cleanup(func() {
		o.close()
		if err := wait(); err != nil {
			tb.Logf("oracle: node exited: %v", err)
		}
	})
	if err := o.ping(); err != nil {
		tb.Fatalf("oracle: node started but does not answer: %v", err)
	}
	return o
}

// spawn starts node on the harness script. wait reaps the process; it returns once node's stderr has
// been fully forwarded to tb, so nothing is logged after the test ends.
func spawn(tb testing.TB, node, root string) (o *Oracle, wait func() error, err error) {
	cmd := exec.Command(node, filepath.Join(root, harnessScript))
	cmd.Dir = root
	cmd.Stderr = &lineLogger{tb: tb}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting %s: %w", node, err)
	}
	o = &Oracle{}
	o.mu.stdin = stdin
	// Answers can be large (a whole session), so read lines with a growing buffer, not a Scanner.
	o.mu.stdout = bufio.NewReaderSize(stdout, 1<<20)
	return o, cmd.Wait, nil
}

// close ends the process by closing its stdin; node exits when its input ends.
func (o *Oracle) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.mu.broken == nil {
		o.mu.broken = errors.New("oracle: already stopped")
	}
	_ = o.mu.stdin.Close()
}

// RepoRoot returns the nearest directory at or above the working directory that holds go.mod.
// Tests run in their package directory, so this finds the repository root from any package.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod found above the working directory; run the tests inside the repository")
		}
		dir = parent
	}
}

// lineLogger forwards node's stderr to the test log, one line per Logf.
type lineLogger struct {
	tb      testing.TB
	pending []byte
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.pending = append(l.pending, p...)
	for {
		i := bytes.IndexByte(l.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.tb.Logf("yjs oracle stderr: %s", l.pending[:i])
		l.pending = l.pending[i+1:]
	}
}
