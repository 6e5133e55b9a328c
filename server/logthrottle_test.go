package server

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

// A flood of one log line is written once, then summarised once per window with the count; lines not in the
// throttled set, and a kind whose window passed quietly, are written as they come.
func TestLogThrottleSummarisesRepeats(t *testing.T) {
	var out syncBuffer
	const window = 200 * time.Millisecond
	log := slog.New(newThrottleHandler(slog.NewTextHandler(&out, nil), window, "peer handshake refused")).With("component", "replication")
	for i := range 100 {
		log.Warn("peer handshake refused", "remote", "10.0.0.1:"+string(rune('0'+i%10)))
		log.Info("peer up") // not throttled
	}
	lines := func() []string { return strings.Split(strings.TrimSpace(out.String()), "\n") }
	if n := strings.Count(out.String(), `msg="peer handshake refused"`); n != 1 {
		t.Fatalf("%d lines of the flood written at once, want 1:\n%s", n, out.String())
	}
	if n := strings.Count(out.String(), `msg="peer up"`); n != 100 {
		t.Fatalf("%d of 100 unthrottled lines written", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "repeated 99 times") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	last := lines()[len(lines())-1]
	if !strings.Contains(last, `peer handshake refused (repeated 99 times in the last 200ms)`) ||
		!strings.Contains(last, "repeated=99") || !strings.Contains(last, "component=replication") || !strings.Contains(last, "remote=10.0.0.1:9") {
		t.Fatalf("summary line %q", last)
	}
	// One more window without repeats ends the kind: the next line is written at once.
	time.Sleep(3 * window)
	log.Warn("peer handshake refused", "remote", "10.0.0.2:1")
	if last := lines()[len(lines())-1]; !strings.Contains(last, "remote=10.0.0.2:1") || strings.Contains(last, "repeated") {
		t.Fatalf("after a quiet window the line was not written as it came: %q", last)
	}
}

// Refused WebSocket handshakes, which anyone can cause, log one line per window, not one per connection.
func TestRefusedConnectionsAreLoggedOncePerWindow(t *testing.T) {
	ts := startServer(t, "", nil)
	for range 20 {
		ts.connect("d", "token=junk").expectClose(CloseUnauthorized)
	}
	if n := strings.Count(ts.logs.String(), `msg="connection refused"`); n != 1 {
		t.Fatalf("%d lines for 20 refused connections, want 1 (then a summary)", n)
	}
}
