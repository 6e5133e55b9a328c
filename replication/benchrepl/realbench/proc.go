package realbench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/meridian-sync/meridian/replication/realproc"
)

// ClusterKey is the shared key every node of a bench run gets (MERIDIAN_CLUSTER_KEY).
const ClusterKey = "meridian realbench cluster key, 32+ bytes"

// Binary returns the meridian binary to run: path when given, else one built now from the module
// holding this package (as replication/realproc's tests do) into dir. It never uses a stale bin/meridian
// unless asked to with path.
func Binary(path, dir string) (string, error) {
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("meridian binary: %w", err)
		}
		return abs, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "meridian")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-trimpath", "-o", bin, "./cmd/meridian")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building meridian: %v\n%s", err, out)
	}
	return bin, nil
}

// moduleRoot walks up from the working directory to the one holding go.mod.
func moduleRoot() (string, error) {
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
			return "", errors.New("go.mod not found above the working directory: pass the binary's path")
		}
		dir = parent
	}
}

// Node is one `meridian serve` process on loopback with its own Pebble directory and ports. It runs
// with --dev (anonymous admin: the bench needs no tokens) and the bench's cluster key.
type Node struct {
	Region       string
	HTTP         string // host:port of the HTTP/WebSocket listener
	Peer, Gossip string
	Join         string // gossip address joined at start ("" for the first node)
	Dir          string // data directory (kept across Restart)
	// Proxy, when NodeConfig.ProxyPeer, stands in front of the peer listener (peers dial it: it is the
	// --peer-advertise address) and can cut every peer stream to this node (realproc.Proxy).
	Proxy   *realproc.Proxy
	bin     string
	cpus    string
	extra   []string
	logPath string
	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	exitErr error
}

// NodeConfig describes a node to start.
type NodeConfig struct {
	Bin    string
	Region string
	Dir    string // parent directory; the node's data and log go in Dir/<region>
	Join   *Node  // gossip-join this node (nil: first node of its cluster)
	// Extra flags appended to serve's arguments (e.g. --updates-per-second).
	Extra []string
	// ProxyPeer puts a realproc.Proxy in front of the peer listener (Node.Proxy).
	ProxyPeer bool
	// CPUs pins the process to these CPUs (a taskset list such as "0"; empty: anywhere), so two regions
	// on one machine do not take each other's CPU as two machines would not.
	CPUs string
}

// StartNode picks free loopback ports and starts the process. It does not wait for readiness.
func StartNode(cfg NodeConfig) (*Node, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	n := &Node{Region: cfg.Region, bin: cfg.Bin, extra: cfg.Extra, cpus: cfg.CPUs, Dir: filepath.Join(cfg.Dir, cfg.Region),
		HTTP: hostPort(ports[0]), Peer: hostPort(ports[1]), Gossip: hostPort(ports[2])}
	if cfg.Join != nil {
		n.Join = cfg.Join.Gossip
	}
	if err := os.MkdirAll(n.Dir, 0o755); err != nil {
		return nil, err
	}
	n.logPath = filepath.Join(n.Dir, "serve.log")
	if cfg.ProxyPeer {
		if n.Proxy, err = realproc.NewProxy(n.Peer); err != nil {
			return nil, err
		}
		n.extra = append([]string{"--peer-advertise", n.Proxy.Addr()}, n.extra...)
	}
	if err := n.Start(); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

// Close stops the process and its proxy.
func (n *Node) Close() {
	n.Stop()
	if n.Proxy != nil {
		_ = n.Proxy.Close()
	}
}

func hostPort(p int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p)) }

// Start starts (or, after Stop or Kill, restarts) the process with the same ports and data.
func (n *Node) Start() error {
	args := []string{"serve", "--dev", "--listen", n.HTTP, "--data", filepath.Join(n.Dir, "data"),
		"--region", n.Region, "--node", "n1", "--peer-addr", n.Peer, "--gossip-addr", n.Gossip}
	if n.Join != "" {
		args = append(args, "--join", n.Join)
	}
	args = append(args, n.extra...)
	log, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(n.bin, args...)
	if n.cpus != "" {
		cmd = exec.Command("taskset", append([]string{"-c", n.cpus, n.bin}, args...)...)
	}
	cmd.Env = append(os.Environ(), "MERIDIAN_CLUSTER_KEY="+ClusterKey)
	cmd.Stdout, cmd.Stderr = log, log
	// The node dies with the bench, whatever ends it: nothing is left running.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return err
	}
	exited := make(chan struct{})
	n.mu.Lock()
	n.cmd, n.exited = cmd, exited
	n.mu.Unlock()
	go func() {
		err := cmd.Wait()
		log.Close()
		n.mu.Lock()
		n.exitErr = err
		n.mu.Unlock()
		close(exited)
	}()
	return nil
}

// Running reports whether the process has not exited.
func (n *Node) Running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.exited == nil {
		return false
	}
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
}

// Stop sends SIGTERM and waits for the exit (SIGKILL after 20 s).
func (n *Node) Stop() { n.signal(syscall.SIGTERM, 20*time.Second) }

// Kill sends SIGKILL and waits for the exit.
func (n *Node) Kill() { n.signal(syscall.SIGKILL, time.Minute) }

func (n *Node) signal(sig syscall.Signal, grace time.Duration) {
	n.mu.Lock()
	cmd, exited := n.cmd, n.exited
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-exited:
		return
	default:
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-exited:
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// LogTail is the end of the node's log (for error reports).
func (n *Node) LogTail(max int) string {
	b, _ := os.ReadFile(n.logPath)
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// Ready reports whether GET /readyz answers 200.
func (n *Node) Ready() bool {
	code, _, err := n.Get("/readyz")
	return err == nil && code == http.StatusOK
}

// WaitReady polls /readyz until 200, the process exits, or the timeout passes.
func (n *Node) WaitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for !n.Ready() {
		if !n.Running() {
			return fmt.Errorf("%s exited before it was ready:\n%s", n.Region, n.LogTail(3000))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %v", n.Region, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// httpClient keeps enough idle connections for the largest writer count the bench uses.
var httpClient = &http.Client{Timeout: time.Minute, Transport: &http.Transport{
	MaxIdleConns: 2048, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute,
	DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}}

// Get fetches path from the node's HTTP listener.
func (n *Node) Get(path string) (int, []byte, error) {
	return n.do(context.Background(), http.MethodGet, path, nil)
}

// PostUpdate applies a v1 update to doc (POST /v1/docs/{doc}/update); it returns the status code.
func (n *Node) PostUpdate(ctx context.Context, doc string, update []byte) (int, error) {
	code, body, err := n.do(ctx, http.MethodPost, "/v1/docs/"+doc+"/update", update)
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("POST %s at %s: %d %s", doc, n.Region, code, bytes.TrimSpace(body))
	}
	return code, err
}

func (n *Node) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+n.HTTP+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// Cluster is the part of GET /v1/cluster (replication.Status) the bench reads.
type Cluster struct {
	Ready         bool   `json:"ready"`
	Documents     int    `json:"documents"`
	TreeTop       uint64 `json:"tree_top"`
	DocsDiffering uint64 `json:"docs_differing"`
	Repairs       uint64 `json:"repairs_applied"`
	RepairBytes   uint64 `json:"repair_bytes_received"`
	BytesSent     uint64 `json:"bytes_sent"`
	BytesReceived uint64 `json:"bytes_received"`
	Peers         []struct {
		ID   string `json:"id"`
		Live bool   `json:"live"`
	} `json:"peers"`
}

// Cluster reads GET /v1/cluster.
func (n *Node) Cluster() (Cluster, error) {
	var c Cluster
	code, b, err := n.Get("/v1/cluster")
	if err != nil {
		return c, err
	}
	if code != http.StatusOK {
		return c, fmt.Errorf("GET /v1/cluster at %s: %d", n.Region, code)
	}
	return c, json.Unmarshal(b, &c)
}

// Metrics reads GET /metrics: every sample by name, summed over its labels (histograms' _count and
// _sum appear as such).
func (n *Node) Metrics() (map[string]float64, error) {
	code, b, err := n.Get("/metrics")
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics at %s: %d", n.Region, code)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		sp := strings.LastIndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		name := line[:sp]
		if i := strings.IndexByte(name, '{'); i >= 0 {
			name = name[:i]
		}
		v, err := strconv.ParseFloat(line[sp+1:], 64)
		if err == nil {
			out[name] += v
		}
	}
	return out, sc.Err()
}

// The /metrics names the bench reads (replication/metrics.go, server/metrics.go).
const (
	MetricPeerBytesSent     = "meridian_replication_bytes_sent_total"
	MetricPeerBytesReceived = "meridian_replication_bytes_received_total"
	MetricFsyncs            = "meridian_store_fsync_seconds_count"
)

// ListDocs pages through GET /v1/docs?prefix=... and returns the ids.
func (n *Node) ListDocs(prefix string) ([]string, error) {
	var ids []string
	cursor := ""
	for {
		code, b, err := n.Get("/v1/docs?limit=1000&prefix=" + prefix + "&cursor=" + cursor)
		if err != nil {
			return ids, err
		}
		if code != http.StatusOK {
			return ids, fmt.Errorf("GET /v1/docs at %s: %d %s", n.Region, code, bytes.TrimSpace(b))
		}
		var page struct {
			Documents []struct {
				ID string `json:"id"`
			} `json:"documents"`
			NextCursor string `json:"nextCursor"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			return ids, err
		}
		for _, d := range page.Documents {
			ids = append(ids, d.ID)
		}
		if page.NextCursor == "" || len(page.Documents) == 0 {
			return ids, nil
		}
		cursor = page.NextCursor
	}
}

// freePorts returns n distinct loopback ports free for both TCP and UDP (gossip uses both) right now.
func freePorts(n int) ([]int, error) {
	var out []int
	var held []io.Closer
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for tries := 0; len(out) < n && tries < 100; tries++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		held = append(held, ln)
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", hostPort(port))
		if err != nil {
			continue
		}
		held = append(held, pc)
		out = append(out, port)
	}
	if len(out) < n {
		return nil, errors.New("no free loopback ports")
	}
	return out, nil
}
