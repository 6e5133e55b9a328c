package realproc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	jwtSecret  = "realproc test secret, at least 32 bytes long"
	clusterKey = "realproc test cluster key"
)

// moduleRoot walks up from the test's directory to the one holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// buildMeridian builds the real binary the test runs.
func buildMeridian(t *testing.T, root string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "meridian")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "./cmd/meridian")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building meridian: %v\n%s", err, out)
	}
	return bin
}

// region is one `meridian serve` process in its own network namespace of lab.
type region struct {
	t                        *testing.T
	lab                      *netLab
	index                    int
	name, bin, dir, logPath  string
	http, peer, gossip, join string
	cmd                      *exec.Cmd
	exited                   chan struct{}
}

// The ports can be fixed: every region has a network namespace of its own.
const httpPort, gossipPort, peerPort = "8080", "7946", "7947"

func newRegion(t *testing.T, bin string, lab *netLab, index int, name, join string) *region {
	lr := lab.regions[index]
	r := &region{t: t, lab: lab, index: index, name: name, bin: bin, dir: t.TempDir(),
		http: net.JoinHostPort(lr.mgmtIP, httpPort), peer: net.JoinHostPort(lr.clusterIP, peerPort),
		gossip: net.JoinHostPort(lr.clusterIP, gossipPort), join: join}
	r.logPath = filepath.Join(r.dir, "serve.log")
	return r
}

func (r *region) id() string { return r.name + "/n1" }

func (r *region) start() {
	r.t.Helper()
	args := []string{"serve", "--listen", r.http, "--data", filepath.Join(r.dir, "data"), "--region", r.name,
		"--node", "n1", "--peer-addr", r.peer, "--gossip-addr", r.gossip, "--exchange-interval", "1s"}
	if r.join != "" {
		args = append(args, "--join", r.join)
	}
	log, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		r.t.Fatal(err)
	}
	cmd := r.lab.command(r.index, r.bin, args...)
	cmd.Env = append(os.Environ(), "MERIDIAN_JWT_SECRET="+jwtSecret, "MERIDIAN_CLUSTER_KEY="+clusterKey)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.cmd, r.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); log.Close(); close(r.exited) }()
	r.t.Cleanup(r.stop)
}

func (r *region) kill() {
	_ = r.cmd.Process.Signal(syscall.SIGKILL)
	<-r.exited
}

func (r *region) stop() {
	select {
	case <-r.exited:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(20 * time.Second):
		r.kill()
	}
}

func (r *region) logTail() string {
	b, _ := os.ReadFile(r.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func (r *region) get(path, tok string) (int, []byte) {
	req, _ := http.NewRequest(http.MethodGet, "http://"+r.http+path, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// clusterStatus is the part of GET /v1/cluster (replication.Status) the test reads.
type clusterStatus struct {
	Ready   bool   `json:"ready"`
	TreeTop uint64 `json:"tree_top"`
	Peers   []struct {
		ID     string `json:"id"`
		Live   bool   `json:"live"`
		Member bool   `json:"member"`
	} `json:"peers"`
	DocsDiffering uint64 `json:"docs_differing"`
	Repairs       uint64 `json:"repairs_applied"`
	BytesSent     uint64 `json:"bytes_sent"`
}

func (r *region) status(tok string) (clusterStatus, bool) {
	var st clusterStatus
	code, b := r.get("/v1/cluster", tok)
	return st, code == http.StatusOK && json.Unmarshal(b, &st) == nil
}

func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}

// writerResult is what testdata/writer.mjs prints.
type writerResult struct {
	Attempted    []string `json:"attempted"`
	Acknowledged []string `json:"acknowledged"`
}

func startWriter(t *testing.T, root string, r *region, tok string, dur, every time.Duration, docs []string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is required for the real-client test (make test installs the npm workspace): ", err)
	}
	args := append([]string{filepath.Join(root, "replication", "realproc", "testdata", "writer.mjs"),
		"ws://" + r.http + "/ws", tok, r.name, fmt.Sprint(dur.Milliseconds()), fmt.Sprint(every.Milliseconds())}, docs...)
	cmd := exec.Command(node, args...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, &out
}

func mintToken(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "token", "--jwt-secret", jwtSecret, "--doc", "*", "--perm", "write", "--admin",
		"--ttl", "1h").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}
