package server

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/server/protocol"
)

func TestLimitsAndMalformedFramesCloseOnlyTheOffender(t *testing.T) {
	ts := startServer(t, "", func(c *Config) {
		c.Limits.MaxMessageBytes = 1024
		c.Limits.MaxConnectionsPerDoc = 3
		c.Limits.UpdatesPerSecond = 1
		c.Limits.UpdateBurst = 20
		c.Limits.MaxDocumentBytes = 600
	})
	tok := "token=" + token(t, "write", false, false, "*")
	bystander := ts.connect("d", tok)
	bystander.handshake()

	cases := map[string]struct {
		send func(c *client)
		code int
	}{
		"oversized": {func(c *client) { c.send(bytes.Repeat([]byte{0}, 2000)) }, CloseTooLarge},
		"garbled":   {func(c *client) { c.send([]byte{0, 2, 0x0f, 1}) }, CloseMalformed},
		"unknown":   {func(c *client) { c.send([]byte{42}) }, CloseMalformed},
		"bad update": {func(c *client) {
			c.send(protocol.EncodeSyncUpdate([]byte{1, 1, 1, 0, 4, 1, 1, 't', 9, 'x'}))
		}, CloseMalformed},
		"text frame": {func(c *client) { _ = c.conn.WriteMessage(websocket.TextMessage, []byte("hi")) }, CloseMalformed},
		"flood": {func(c *client) {
			for range 40 {
				_ = c.conn.WriteMessage(websocket.BinaryMessage, protocol.EncodeQueryAwareness())
			}
		}, CloseRateLimited},
		"doc too large": {func(c *client) {
			c.send(protocol.EncodeSyncUpdate(textUpdate(t, 3, strings.Repeat("x", 700))))
		}, CloseTooLarge},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cl := ts.connect("d", tok)
			cl.t = t
			cl.handshake()
			c.send(cl)
			cl.expectClose(c.code)
		})
	}
	// Nothing was stored, and the bystander is still served.
	bystander.send(protocol.EncodeSyncStep1([]byte{0}))
	if m := bystander.expect("step 2", isSync(protocol.SyncStep2)); textOf(t, m.Sync.Payload) != "" {
		t.Fatalf("a refused message changed the document: %q", textOf(t, m.Sync.Payload))
	}
	metrics := func() string { _, b := ts.request("GET", "/metrics", "", nil); return string(b) }()
	for _, reason := range []string{"message_too_large", "malformed", "text_frame", "rate_limited", "document_too_large", "bad_update"} {
		if !strings.Contains(metrics, `meridian_refusals_total{reason="`+reason+`"}`) {
			t.Errorf("metric for %s missing", reason)
		}
	}
	// Per-document connection limit: the bystander plus two more fill it. The refused clients' connections are
	// given back when their sessions end, which may trail the close frames they got: wait for that first.
	waitFor(t, "the refused connections released", func() bool {
		ts.srv.hub.mu.Lock()
		defer ts.srv.hub.mu.Unlock()
		r := ts.srv.hub.mu.rooms["d"]
		return r != nil && r.connRefs == 1
	})
	second, third := ts.connect("d", tok), ts.connect("d", tok)
	second.handshake()
	third.handshake()
	ts.connect("d", tok).expectClose(CloseOverloaded)
	// Keep the clients reachable until here: a collected *websocket.Conn closes its socket.
	for _, c := range []*client{bystander, second, third} {
		c.conn.Close()
	}
}
