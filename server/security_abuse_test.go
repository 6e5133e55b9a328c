package server

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/server/protocol"
)

func subjectToken(t *testing.T, sub string, admin bool, docs ...string) string {
	t.Helper()
	opts := TokenOptions{Secret: testSecret, Docs: docs, Perm: "write", Admin: admin, TTL: time.Hour, Subject: sub}
	tok, err := opts.Mint()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestConnectionLimitsPerSubjectAndAddress(t *testing.T) {
	ts := startServer(t, "", func(c *Config) {
		c.Security.Abuse = AbuseLimits{ConnectionsPerSubject: 2, ConnectionsPerAddress: 3}
	})
	alice := subjectToken(t, "alice", false, "*")
	bob := subjectToken(t, "bob", false, "*")
	a1 := ts.connect("d1", "token="+alice)
	a1.handshake()
	a2 := ts.connect("d2", "token="+alice)
	a2.handshake()
	ts.connect("d3", "token="+alice).expectClose(CloseOverloaded) // alice's third
	b1 := ts.connect("d1", "token="+bob)
	b1.handshake()
	ts.connect("d2", "token="+bob).expectClose(CloseOverloaded) // the address's fourth
	// A connection that ends gives its place back.
	a2.conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := ts.dial("d4", "token="+alice)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.next(); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed connection's place was never given back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, metrics := ts.request(http.MethodGet, "/metrics", "", nil)
	for _, reason := range []string{"subject_connection_limit", "address_connection_limit"} {
		// At least once: the retry loop above may meet the limit again before the server saw the close.
		if !strings.Contains(string(metrics), `meridian_refusals_total{reason="`+reason+`"}`) {
			t.Errorf("metric for %s missing:\n%s", reason, grepLines(string(metrics), "refusals"))
		}
	}
	if !strings.Contains(ts.logs.String(), "reason=subject_connection_limit") {
		t.Errorf("refusal not logged")
	}
}

func TestMessageRateIsSharedAcrossASubjectsConnections(t *testing.T) {
	ts := startServer(t, "", func(c *Config) {
		c.Security.Abuse = AbuseLimits{MessagesPerSubject: 5} // burst 10 across all of alice's connections
	})
	alice := subjectToken(t, "alice", false, "*")
	bob := subjectToken(t, "bob", false, "*")
	a1, a2 := ts.connect("r1", "token="+alice), ts.connect("r2", "token="+alice)
	b := ts.connect("r1", "token="+bob)
	for _, c := range []*client{a1, a2, b} {
		c.handshake() // one message each
	}
	// Alice spreads 20 messages over two connections: each stays under any per-connection limit, together
	// they exceed her budget.
	var closed bool
	for i := 0; i < 10 && !closed; i++ {
		for _, c := range []*client{a1, a2} {
			if err := c.conn.WriteMessage(2, protocol.EncodeSyncStep1([]byte{0})); err != nil {
				closed = true
			}
		}
	}
	a1.expectCloseEither(t, CloseRateLimited, a2)
	// Bob is not affected.
	b.send(protocol.EncodeSyncStep1([]byte{0}))
	b.expect("bob's answer", isSync(protocol.SyncStep2))
	_, metrics := ts.request(http.MethodGet, "/metrics", "", nil)
	if !strings.Contains(string(metrics), `meridian_refusals_total{reason="subject_rate_limited"}`) {
		t.Errorf("no subject_rate_limited metric:\n%s", grepLines(string(metrics), "refusals"))
	}
}

// expectCloseEither waits until c or other is closed with code (whichever connection hit the shared limit).
func (c *client) expectCloseEither(t *testing.T, code int, other *client) {
	t.Helper()
	for _, k := range []*client{c, other} {
		for {
			_, err := k.next()
			if err == nil {
				continue
			}
			if strings.Contains(err.Error(), "4429") {
				return
			}
			break
		}
	}
	t.Fatalf("neither connection was closed with %d", code)
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestAuditLogOfDocumentDeletes(t *testing.T) {
	ts := startServer(t, "", nil)
	admin := subjectToken(t, "ops-ada", true)
	writer := subjectToken(t, "mallory", false, "*")
	if st, body := ts.request(http.MethodPost, "/v1/docs/victim/update", writer, textUpdate(t, 1, "x")); st != http.StatusOK {
		t.Fatalf("post: %d %s", st, body)
	}
	if st, _ := ts.request(http.MethodDelete, "/v1/docs/victim", writer, nil); st != http.StatusForbidden {
		t.Fatalf("non-admin delete: %d", st)
	}
	if st, _ := ts.request(http.MethodDelete, "/v1/docs/victim", admin, nil); st != http.StatusOK {
		t.Fatalf("admin delete: %d", st)
	}
	logs := ts.logs.String()
	for _, want := range []string{
		"audit=true action=doc.delete subject=mallory target=victim outcome=denied remote=127.0.0.1",
		"audit=true action=doc.delete subject=ops-ada target=victim outcome=ok remote=127.0.0.1",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("missing audit line %q in:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, admin) || strings.Contains(logs, writer) {
		t.Error("a token reached the audit log")
	}
	_, metrics := ts.request(http.MethodGet, "/metrics", "", nil)
	if !strings.Contains(string(metrics), `meridian_audit_events_total{action="doc.delete",outcome="ok"} 1`) {
		t.Errorf("audit metric missing:\n%s", grepLines(string(metrics), "audit"))
	}
}
