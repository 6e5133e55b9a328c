package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/server/protocol"
)

// A body trickled a byte at a time is cut by --http-read-timeout, however long the declared length.
func TestSlowBodyIsCutByTheReadTimeout(t *testing.T) {
	rs := serveReal(t, func(c *Config) {
		c.HTTP.ReadHeaderTimeout, c.HTTP.ReadTimeout = 300*time.Millisecond, time.Second
	})
	c := rs.dial()
	tok := token(t, "write", false, false, "d")
	if _, err := io.WriteString(c, postHeader("d", tok, 1000)); err != nil {
		t.Fatal(err)
	}
	go func() { // one byte every 100 ms: 1000 bytes would take 100 s
		for {
			if _, err := c.Write([]byte{0}); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	if took := waitClosed(t, c, 5*time.Second); took > 3*time.Second {
		t.Fatalf("trickled body held the connection %v; the read timeout is 1 s", took)
	}
}

// A POST without a valid token is refused before its body is read: the server reads the header and at most
// one buffer of what follows, whatever the declared length, and closes the connection.
func TestUnauthenticatedPostIsRefusedBeforeItsBodyIsRead(t *testing.T) {
	for name, tok := range map[string]string{"no token": "", "junk token": "junk.junk.junk"} {
		t.Run(name, func(t *testing.T) {
			rs := serveReal(t, nil)
			c := rs.dial()
			const declared = 8 << 20
			if _, err := io.WriteString(c, postHeader("d", tok, declared)); err != nil {
				t.Fatal(err)
			}
			go func() { _, _ = c.Write(make([]byte, declared)) }() // fills the socket buffers, nothing more
			if code, body := readStatus(t, c, 5*time.Second); code != http.StatusUnauthorized || !strings.Contains(body, "token") {
				t.Fatalf("got %d %s, want 401 naming the token", code, body)
			}
			waitClosed(t, c, 5*time.Second)
			if n := rs.read.Load(); n > 16<<10 {
				t.Fatalf("the server read %d bytes of a refused 8 MB request; want the header and a buffer at most", n)
			}
		})
	}
}

// A body over --max-message-bytes is answered 413 with a sentence: a declared length before any byte is
// read, a chunked body as soon as it passes the limit.
func TestOversizedBodyIs413(t *testing.T) {
	rs := serveReal(t, func(c *Config) { c.Limits.MaxMessageBytes = 1024 })
	tok := token(t, "write", false, false, "d")

	c := rs.dial()
	if _, err := io.WriteString(c, postHeader("d", tok, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if code, body := readStatus(t, c, 5*time.Second); code != http.StatusRequestEntityTooLarge ||
		!strings.Contains(body, "larger than the message size limit of 1024 bytes; nothing was read or stored") {
		t.Fatalf("declared 1 MB: got %d %s", code, body)
	}
	if n := rs.read.Load(); n > 16<<10 {
		t.Fatalf("the server read %d bytes of a body it refused by its declared length", n)
	}

	// Chunked: no length to refuse up front; MaxBytesReader stops at the limit.
	req, _ := http.NewRequest(http.MethodPost, rs.url("/v1/docs/d/update"), io.MultiReader(bytes.NewReader(make([]byte, 4096))))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "larger than the message size limit") {
		t.Fatalf("chunked 4 KB: got %d %s", resp.StatusCode, b)
	}
}

// One address may have --http-requests-per-address requests in flight; one more is answered 429 with
// Retry-After and a sentence, and the place comes back when a request ends.
func TestRequestsInFlightPerAddress(t *testing.T) {
	rs := serveReal(t, func(c *Config) { c.HTTP.RequestsPerAddress = 2 })
	tok := token(t, "write", false, false, "d")
	var held []net.Conn
	for range 2 { // two authenticated POSTs whose bodies never finish: in flight until closed
		c := rs.dial()
		if _, err := io.WriteString(c, postHeader("d", tok, 100)+"x"); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	post := func() (int, http.Header, string) {
		req, _ := http.NewRequest(http.MethodPost, rs.url("/v1/docs/d/update"), bytes.NewReader(textUpdate(t, 7, "hi")))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	deadline := time.Now().Add(5 * time.Second)
	code, hdr, body := post()
	for code != http.StatusTooManyRequests && time.Now().Before(deadline) { // until both held requests are in
		time.Sleep(20 * time.Millisecond)
		code, hdr, body = post()
	}
	if code != http.StatusTooManyRequests || hdr.Get("Retry-After") != "1" || !strings.Contains(body, "too many requests in flight from this address") {
		t.Fatalf("third request in flight: got %d Retry-After=%q %s", code, hdr.Get("Retry-After"), body)
	}
	for _, c := range held {
		c.Close()
	}
	for code == http.StatusTooManyRequests && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		code, _, body = post()
	}
	if code != http.StatusOK {
		t.Fatalf("after the held requests ended: got %d %s", code, body)
	}
}

// The server's read, write and idle timeouts do not touch an upgraded WebSocket: two clients idle for longer
// than all of them still exchange an update.
func TestWebSocketOutlivesTheHTTPTimeouts(t *testing.T) {
	rs := serveReal(t, func(c *Config) {
		c.HTTP = HTTPLimits{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 300 * time.Millisecond,
			WriteTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond}
	})
	tok := token(t, "write", false, false, "d")
	dial := func() *client {
		conn, _, err := websocket.DefaultDialer.Dial("ws://"+rs.addr+"/ws/d?token="+tok, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		c := &client{t: t, conn: conn}
		c.handshake()
		return c
	}
	a, b := dial(), dial()
	time.Sleep(time.Second)
	a.send(protocol.EncodeSyncUpdate(textUpdate(t, 9, "still here")))
	b.expect("the update after an idle second", isSync(protocol.SyncUpdate))
}

// Every HTTP limit is a flag with a MERIDIAN_* variable; garbage and negative values are refused with the
// flag's name.
func TestHTTPLimitFlagsRefuseGarbage(t *testing.T) {
	base := []string{"--dev", "--data", t.TempDir(), "--listen", "127.0.0.1:0"}
	noEnv := func(string) (string, bool) { return "", false }
	quiet := slog.New(slog.DiscardHandler)
	for _, c := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"--http-read-timeout", "banana"}, want: "http-read-timeout"},
		{args: []string{"--http-requests-per-address", "lots"}, want: "http-requests-per-address"},
		{args: []string{"--http-write-timeout", "-1s"}, want: "--http-write-timeout is -1s; want a positive duration"},
		{args: []string{"--http-requests-per-address", "-3"}, want: "--http-requests-per-address is -3"},
		{args: []string{"--http-read-header-timeout", "1m", "--http-read-timeout", "10s"}, want: "--http-read-header-timeout is longer"},
		{env: map[string]string{"MERIDIAN_HTTP_IDLE_TIMEOUT": "soon"}, want: "MERIDIAN_HTTP_IDLE_TIMEOUT"},
	} {
		lookup := noEnv
		if c.env != nil {
			lookup = func(k string) (string, bool) { v, ok := c.env[k]; return v, ok }
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // a configuration that passes would serve until cancelled: it must not get that far
		err := RunServe(ctx, append(append([]string{}, base...), c.args...), lookup, quiet, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %v: got %v, want an error naming %q", c.args, c.env, err, c.want)
		}
	}
	var cfg Config
	cfg.HTTP.ensureDefaults()
	if cfg.HTTP != DefaultHTTPLimits() {
		t.Fatalf("zero HTTP limits take %+v, want the defaults %+v", cfg.HTTP, DefaultHTTPLimits())
	}
}
