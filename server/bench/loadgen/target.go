package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// target is one server under test: how to start it and how its clients address a document.
type target struct {
	name string
	wire wireFormat
	// command returns the server's command line for a listen port and an empty data directory.
	command func(port int, dataDir string, extraArgs []string) (argv []string, env []string)
	// docURL is the WebSocket URL a client of doc connects to.
	docURL func(addr, doc string) string
	// durable: updates are on disk before they are broadcast (only Meridian, as the peers run here).
	durable bool
}

func meridianTarget(binary string) target {
	return target{
		name:    "meridian",
		durable: true,
		command: func(port int, dataDir string, extra []string) ([]string, []string) {
			argv := append([]string{binary, "serve", "--dev", "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--data", dataDir}, extra...)
			return argv, nil
		},
		docURL: func(addr, doc string) string { return "ws://" + addr + "/ws/" + doc },
	}
}

func yWebsocketServerTarget(peersDir string) target {
	return target{
		name: "y-websocket-server",
		command: func(port int, _ string, _ []string) ([]string, []string) {
			return []string{"node", filepath.Join(peersDir, "y-websocket-server.mjs")}, []string{"PORT=" + strconv.Itoa(port)}
		},
		docURL: func(addr, doc string) string { return "ws://" + addr + "/" + doc },
	}
}

func hocuspocusTarget(peersDir string) target {
	return target{
		name: "hocuspocus",
		wire: wireFormat{docEnvelope: true},
		command: func(port int, _ string, _ []string) ([]string, []string) {
			return []string{"node", filepath.Join(peersDir, "hocuspocus-server.mjs")}, []string{"PORT=" + strconv.Itoa(port)}
		},
		docURL: func(addr, _ string) string { return "ws://" + addr + "/" },
	}
}

// serverProcess is a running target, pinned to the server core.
type serverProcess struct {
	cmd     *exec.Cmd
	addr    string
	dataDir string
	exited  chan struct{}
}

func (p *serverProcess) pid() int { return p.cmd.Process.Pid }

// start runs the target on a fresh port (each scenario uses its own, so no TIME_WAIT of an earlier one gets
// in the way of 10,000 new connections), pinned with taskset to cpus, and waits until it accepts
// connections. dataDir is reused when given (a restart), otherwise a new one is made under workDir.
func (t target) start(cpus, workDir, dataDir string, extra []string) (*serverProcess, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	if dataDir == "" {
		if dataDir, err = os.MkdirTemp(workDir, t.name+"-"); err != nil {
			return nil, err
		}
	}
	argv, env := t.command(port, dataDir, extra)
	if cpus != "" {
		argv = append([]string{"taskset", "-c", cpus}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	logFile, err := os.Create(filepath.Join(workDir, fmt.Sprintf("%s-%d.log", t.name, port)))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", t.name, err)
	}
	p := &serverProcess{cmd: cmd, addr: fmt.Sprintf("127.0.0.1:%d", port), dataDir: dataDir, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); logFile.Close(); close(p.exited) }()
	if err := p.waitListening(15 * time.Second); err != nil {
		p.stop()
		return nil, fmt.Errorf("%s: %w (log: %s)", t.name, err, logFile.Name())
	}
	return p, nil
}

func (p *serverProcess) waitListening(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("server exited at start")
		default:
		}
		if c, err := net.DialTimeout("tcp", p.addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not listening on %s after %v", p.addr, limit)
}

// stop ends the server gracefully (SIGTERM: Meridian drains and flushes its store), or kills it after 15 s.
func (p *serverProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// storedUpdateBytes asks Meridian's HTTP API for a document's state as one update and returns its size, as a
// sanity check of the cold-load scenario (dev mode: no token needed).
func storedUpdateBytes(ctx context.Context, addr, doc string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/v1/docs/"+doc+"/update", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", doc, strings.ToLower(resp.Status))
	}
	return int(n), err
}
