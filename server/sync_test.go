package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/meridian-sync/meridian/server/protocol"
)

func TestTwoClientsSyncThroughTheServer(t *testing.T) {
	ts := startServer(t, "", nil)
	tok := "token=" + token(t, "write", false, false, "team/*")
	a := ts.connect("team/doc", tok)
	if state := a.handshake(); textOf(t, state) != "" {
		t.Fatalf("new document not empty")
	}
	a.send(protocol.EncodeSyncUpdate(textUpdate(t, 11, "hello")))
	// The sender gets its update back (y-websocket relies on the echo).
	echo := a.expect("echo", isSync(protocol.SyncUpdate))
	if textOf(t, echo.Sync.Payload) != "hello" {
		t.Fatalf("echo carries %q", textOf(t, echo.Sync.Payload))
	}
	b := ts.connect("team/doc", tok)
	if got := textOf(t, b.handshake()); got != "hello" {
		t.Fatalf("late joiner got %q", got)
	}
	a.send(protocol.EncodeSyncUpdate(textUpdate(t, 12, "X")))
	if m := b.expect("broadcast", isSync(protocol.SyncUpdate)); textOf(t, m.Sync.Payload) != "X" {
		t.Fatalf("broadcast carries %q", textOf(t, m.Sync.Payload))
	}
	status, body := ts.request("GET", "/v1/docs/team/doc", token(t, "read", false, false, "team/doc"), nil)
	var doc map[string]any
	if status != 200 || json.Unmarshal(body, &doc) != nil {
		t.Fatalf("GET doc: %d %s", status, body)
	}
	if s, _ := doc["t"].(string); len(s) != 6 || !strings.Contains(s, "hello") || !strings.Contains(s, "X") {
		t.Fatalf("document JSON %s", body)
	}
}

func TestAwarenessRelayAndRemovalOnDisconnect(t *testing.T) {
	ts := startServer(t, "", nil)
	tok := "token=" + token(t, "write", false, false, "d")
	a := ts.connect("d", tok)
	a.handshake()
	state := protocol.EncodeAwarenessMessage(protocol.EncodeAwarenessUpdate([]protocol.AwarenessEntry{{ClientID: 11, Clock: 1, State: `{"name":"A"}`}}))
	a.send(state)
	a.expect("awareness echo", func(m protocol.Message) bool { return m.Type == protocol.MessageAwareness })
	b := ts.connect("d", tok)
	// The joiner receives a snapshot of every known state.
	m := b.expect("awareness snapshot", func(m protocol.Message) bool { return m.Type == protocol.MessageAwareness })
	entries, _ := protocol.DecodeAwarenessUpdate(m.Awareness)
	if len(entries) != 1 || entries[0].ClientID != 11 {
		t.Fatalf("snapshot %+v", entries)
	}
	a.conn.Close()
	m = b.expect("removal", func(m protocol.Message) bool { return m.Type == protocol.MessageAwareness })
	entries, _ = protocol.DecodeAwarenessUpdate(m.Awareness)
	if len(entries) != 1 || !entries[0].IsNull() || entries[0].Clock != 1 {
		t.Fatalf("removal %+v", entries)
	}
}

func TestAckAndHelloExtensions(t *testing.T) {
	ts := startServer(t, "", nil)
	q := "token=" + url.QueryEscape(token(t, "write", false, false, "d")) + "&" + protocol.ExtensionParam + "=ack,hello"
	c := ts.connect("d", q)
	hello := c.expect("hello", func(m protocol.Message) bool { return m.Type == protocol.MessageHello })
	if hello.Hello != (protocol.Hello{Region: "test-region", Node: "node-1"}) {
		t.Fatalf("hello %+v", hello.Hello)
	}
	c.handshake()
	c.send(protocol.EncodeSyncUpdate(textUpdate(t, 5, "a")))
	c.send(protocol.EncodeSyncUpdate(textUpdate(t, 6, "b")))
	ack := c.expect("ack 2", func(m protocol.Message) bool { return m.Type == protocol.MessageAck && m.Ack.Updates == 2 })
	if ack.Ack.Regions != 1 {
		t.Fatalf("ack %+v", ack.Ack)
	}
	// A stock client never sees extension messages.
	stock := ts.connect("d", "token="+token(t, "write", false, false, "d"))
	stock.handshake()
	stock.send(protocol.EncodeSyncUpdate(textUpdate(t, 7, "c")))
	stock.expect("echo", isSync(protocol.SyncUpdate))
	stock.send(protocol.EncodeQueryAwareness())
	for {
		m := stock.expect("query reply", func(protocol.Message) bool { return true })
		if m.Type == protocol.MessageAck || m.Type == protocol.MessageHello {
			t.Fatalf("stock client received extension message %d", m.Type)
		}
		if m.Type == protocol.MessageAwareness {
			break
		}
	}
	unknown := ts.connect("d", "token="+token(t, "write", false, false, "d")+"&"+protocol.ExtensionParam+"=teleport")
	unknown.expectClose(CloseMalformed)
}

func TestDurableAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ts := startServer(t, dir, nil)
	q := "token=" + token(t, "write", false, false, "*") + "&" + protocol.ExtensionParam + "=ack"
	c := ts.connect("notes/x", q)
	c.handshake()
	c.send(protocol.EncodeSyncUpdate(textUpdate(t, 9, "persisted")))
	c.expect("ack", func(m protocol.Message) bool { return m.Type == protocol.MessageAck && m.Ack.Updates == 1 })
	ts.stop()
	c.expectClose(CloseGoingAway)

	ts2 := startServer(t, dir, nil)
	c2 := ts2.connect("notes/x", "token="+token(t, "read", false, false, "notes/x"))
	if got := textOf(t, c2.handshake()); got != "persisted" {
		t.Fatalf("after restart: %q", got)
	}
}
