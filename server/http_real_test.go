package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// realServer is a Server behind Serve on a loopback listener, so the http.Server settings (timeouts) apply,
// which httptest around Handler would not show. It counts the bytes the server read from its connections.
type realServer struct {
	t    testing.TB
	srv  *Server
	addr string
	read atomic.Int64
	logs *syncBuffer
}

func serveReal(t testing.TB, tweak func(*Config)) *realServer {
	t.Helper()
	logs := &syncBuffer{}
	cfg := Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", JWTSecret: testSecret, Region: "test-region", Node: "node-1",
		Logger: slog.New(slog.NewTextHandler(logs, nil))}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rs := &realServer{t: t, srv: srv, addr: ln.Addr().String(), logs: logs}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, &countingListener{Listener: ln, n: &rs.read}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return rs
}

func (rs *realServer) url(path string) string { return "http://" + rs.addr + path }

// dial opens a raw TCP connection to the server.
func (rs *realServer) dial() net.Conn {
	rs.t.Helper()
	c, err := net.Dial("tcp", rs.addr)
	if err != nil {
		rs.t.Fatal(err)
	}
	rs.t.Cleanup(func() { c.Close() })
	return c
}

// countingListener counts every byte its connections read. (Its connections are not *net.TCPConn, so WebSocket
// sessions behind it write with the plain writer, not io_uring: the limits tested here do not care.)
type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &readCountingConn{Conn: c, n: l.n}, nil
}

type readCountingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *readCountingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// postHeader is the request header of POST /v1/docs/{doc}/update with a declared body length and, when tok is
// not empty, a bearer token.
func postHeader(doc, tok string, length int) string {
	h := fmt.Sprintf("POST /v1/docs/%s/update HTTP/1.1\r\nHost: test\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n", doc, length)
	if tok != "" {
		h += "Authorization: Bearer " + tok + "\r\n"
	}
	return h + "\r\n"
}

// readStatus reads one HTTP response from c and returns its status code and body.
func readStatus(t testing.TB, c net.Conn, within time.Duration) (int, string) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(within))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// waitClosed reports how long c took to be closed by the server (its reads to end), failing after within.
func waitClosed(t testing.TB, c net.Conn, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	_ = c.SetReadDeadline(start.Add(within))
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %v", within)
	}
	return time.Since(start)
}
