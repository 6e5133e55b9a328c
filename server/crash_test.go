package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/server/protocol"
)

// TestHelperServeProcess is not a test of its own: TestKill9KeepsAcknowledgedUpdates re-runs the test binary
// with MERIDIAN_TEST_SERVE_ARGS set, and this function then becomes a `meridian serve` process to kill.
func TestHelperServeProcess(t *testing.T) {
	args := os.Getenv("MERIDIAN_TEST_SERVE_ARGS")
	if args == "" {
		return
	}
	err := RunServe(context.Background(), strings.Fields(args), os.LookupEnv, nil, nil)
	fmt.Fprintln(os.Stderr, "serve returned:", err)
	os.Exit(1)
}

func startServeProcess(t *testing.T, dir, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServeProcess$")
	cmd.Env = append(os.Environ(), "MERIDIAN_TEST_SERVE_ARGS=--listen "+addr+" --data "+dir, "MERIDIAN_JWT_SECRET="+testSecret)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for range 200 {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("server process did not become ready")
	return nil
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestKill9KeepsAcknowledgedUpdates kills the server with SIGKILL while clients write, restarts it on the
// same data, and checks that every update the server acknowledged (ack extension) is there.
func TestKill9KeepsAcknowledgedUpdates(t *testing.T) {
	dir, addr := t.TempDir(), freeAddr(t)
	proc := startServeProcess(t, dir, addr)
	tok := token(t, "write", false, false, "*")
	const writers = 4
	acked := make([]uint64, writers)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			url := fmt.Sprintf("ws://%s/ws/crash?token=%s&%s=ack", addr, tok, protocol.ExtensionParam)
			conn, _, err := websocket.DefaultDialer.Dial(url, nil)
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			go func() { // reader: record acks until the connection dies
				for {
					_, frame, err := conn.ReadMessage()
					if err != nil {
						return
					}
					if m, err := protocol.DecodeMessage(frame); err == nil && m.Type == protocol.MessageAck {
						mu.Lock()
						acked[w] = m.Ack.Updates
						mu.Unlock()
					}
				}
			}()
			doc := crdt.NewDoc(crdt.WithClientID(uint64(100 + w)))
			var pending []byte
			doc.OnUpdate(func(u []byte, _ any) { pending = u })
			text := doc.GetText(fmt.Sprintf("w%d", w))
			for i := 0; ; i++ {
				_ = text.Insert(text.Len(), fmt.Sprintf("[%d]", i+1), nil)
				if conn.WriteMessage(websocket.BinaryMessage, protocol.EncodeSyncUpdate(pending)) != nil {
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	time.Sleep(700 * time.Millisecond)
	if err := proc.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	mu.Lock()
	final := append([]uint64(nil), acked...)
	mu.Unlock()

	startServeProcess(t, dir, addr)
	req, _ := http.NewRequest("GET", "http://"+addr+"/v1/docs/crash/update", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var state []byte
	buf := make([]byte, 1<<16)
	for {
		n, err := resp.Body.Read(buf)
		state = append(state, buf[:n]...)
		if err != nil {
			break
		}
	}
	doc := crdt.NewDoc()
	if err := doc.ApplyUpdate(state); err != nil {
		t.Fatal(err)
	}
	total := uint64(0)
	for w, n := range final {
		total += n
		got := doc.GetText(fmt.Sprintf("w%d", w)).String()
		if n > 0 && !strings.Contains(got, fmt.Sprintf("[%d]", n)) {
			t.Errorf("writer %d: update %d was acknowledged but is missing after kill -9 (have %q...)", w, n, got[:min(len(got), 60)])
		}
	}
	if total == 0 {
		t.Fatal("no update was acknowledged before the kill: the test proves nothing")
	}
	t.Logf("%d acknowledged updates survived kill -9", total)
}
