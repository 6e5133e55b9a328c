package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The rates below are tiny (one message per 100 s, burst 1) so that no refill can happen during a test: the
// first write passes, the next is refused, however slow the machine.
const testTinyRate = 0.01

// docText is the text root "t" of id as the server has stored it.
func (ts *testServer) docText(t *testing.T, id string) string {
	t.Helper()
	st, body := ts.request(http.MethodGet, "/v1/docs/"+id, subjectToken(t, "reader", false, "*"), nil)
	if st != http.StatusOK {
		t.Fatalf("GET %s: %d %s", id, st, body)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	s, _ := doc["t"].(string)
	return s
}

func expectTooManyRequests(t *testing.T, status int, h http.Header, body, message string) {
	t.Helper()
	if status != http.StatusTooManyRequests {
		t.Fatalf("status %d (%s), want 429", status, body)
	}
	secs, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 100 {
		t.Errorf("Retry-After %q, want whole seconds until the budget refills (1 to 100)", h.Get("Retry-After"))
	}
	want := fmt.Sprintf("%s; nothing was stored, retry after %d s", message, secs)
	if !strings.Contains(body, want) {
		t.Errorf("body %s, want the message %q", body, want)
	}
}

func refusalCount(t *testing.T, ts *testServer, reason string) string {
	t.Helper()
	_, metrics := ts.request(http.MethodGet, "/metrics", "", nil)
	return grepLines(string(metrics), `meridian_refusals_total{reason="`+reason+`"}`)
}

func TestHTTPUpdatesAreLimitedPerSubject(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.Security.Abuse = AbuseLimits{MessagesPerSubject: testTinyRate} })
	alice := subjectToken(t, "alice", false, "*")
	if st, body := ts.request(http.MethodPost, "/v1/docs/limited/update", alice, textUpdate(t, 1, "first")); st != http.StatusOK {
		t.Fatalf("first post: %d %s", st, body)
	}
	st, h, body := ts.postWithHeaders(http.MethodPost, "/v1/docs/limited/update", alice, textUpdate(t, 2, "second"))
	expectTooManyRequests(t, st, h, body, "message rate limit of this user reached")
	if got := ts.docText(t, "limited"); got != "first" {
		t.Fatalf("stored text %q: a refused update was stored", got)
	}
	// Another user is not affected.
	bob := subjectToken(t, "bob", false, "*")
	if st, body := ts.request(http.MethodPost, "/v1/docs/limited/update", bob, textUpdate(t, 3, "bob ")); st != http.StatusOK {
		t.Fatalf("bob's post: %d %s", st, body)
	}
	if got := refusalCount(t, ts, "subject_rate_limited"); got != `meridian_refusals_total{reason="subject_rate_limited"} 1` {
		t.Errorf("metric: %q", got)
	}
}

func TestHTTPWritesAreLimitedPerAddress(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.Security.Abuse = AbuseLimits{MessagesPerAddress: testTinyRate} })
	admin := subjectToken(t, "ada", true, "*")
	// Every test request comes from 127.0.0.1: the address's single message goes to the first write.
	if st, body := ts.request(http.MethodPost, "/v1/docs/a/update", subjectToken(t, "alice", false, "*"), textUpdate(t, 1, "a")); st != http.StatusOK {
		t.Fatalf("first post: %d %s", st, body)
	}
	st, h, body := ts.postWithHeaders(http.MethodPost, "/v1/docs/a/update", subjectToken(t, "bob", false, "*"), textUpdate(t, 2, "b"))
	expectTooManyRequests(t, st, h, body, "message rate limit of this address reached")
	// The address is checked before the token: guessing tokens costs the same budget.
	st, h, body = ts.postWithHeaders(http.MethodPost, "/v1/docs/a/update", "not-a-token", textUpdate(t, 3, "c"))
	expectTooManyRequests(t, st, h, body, "message rate limit of this address reached")
	// Deletes are writes too.
	st, h, body = ts.postWithHeaders(http.MethodDelete, "/v1/docs/a", admin, nil)
	expectTooManyRequests(t, st, h, body, "message rate limit of this address reached")
	if got := ts.docText(t, "a"); got != "a" {
		t.Fatalf("stored text %q after refused writes", got)
	}
	// Reads are not limited.
	for range 3 {
		if got := ts.docText(t, "a"); got != "a" {
			t.Fatalf("read %q", got)
		}
	}
	if got := refusalCount(t, ts, "address_rate_limited"); got != `meridian_refusals_total{reason="address_rate_limited"} 3` {
		t.Errorf("metric: %q", got)
	}
}

func TestHTTPDeletesAreLimitedPerSubject(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.Security.Abuse = AbuseLimits{MessagesPerSubject: testTinyRate} })
	admin := subjectToken(t, "ada", true, "*")
	if st, body := ts.request(http.MethodDelete, "/v1/docs/one", admin, nil); st != http.StatusOK {
		t.Fatalf("first delete: %d %s", st, body)
	}
	st, h, body := ts.postWithHeaders(http.MethodDelete, "/v1/docs/two", admin, nil)
	expectTooManyRequests(t, st, h, body, "message rate limit of this user reached")
}

// A user cannot escape the WebSocket budget by posting: both take from the same bucket.
func TestHTTPAndWebSocketShareTheSubjectsBudget(t *testing.T) {
	ts := startServer(t, "", func(c *Config) { c.Security.Abuse = AbuseLimits{MessagesPerSubject: testTinyRate} })
	alice := subjectToken(t, "alice", false, "*")
	ws := ts.connect("shared", "token="+alice)
	ws.handshake() // alice's one message
	st, h, body := ts.postWithHeaders(http.MethodPost, "/v1/docs/shared/update", alice, textUpdate(t, 1, "x"))
	expectTooManyRequests(t, st, h, body, "message rate limit of this user reached")
	if got := ts.docText(t, "shared"); got != "" {
		t.Fatalf("stored text %q", got)
	}
}

func TestWithoutLimitsHTTPWritesAreNotCounted(t *testing.T) {
	ts := startServer(t, "", nil)
	alice := subjectToken(t, "alice", false, "*")
	for i := range 20 {
		if st, body := ts.request(http.MethodPost, "/v1/docs/free/update", alice, textUpdate(t, uint64(i+1), "x")); st != http.StatusOK {
			t.Fatalf("post %d: %d %s", i, st, body)
		}
	}
}

// Keys seen only over HTTP have no connection to drop them with: the sweep drops them once their buckets are
// full again, and keeps every key that still holds state.
func TestAbuseGuardSweepsIdleHTTPKeys(t *testing.T) {
	g := newAbuseGuard(AbuseLimits{MessagesPerAddress: 1, MessagesPerSubject: 1})
	start := time.Now()
	for i := range 3000 {
		g.allowRequest(fmt.Sprintf("user-%d", i), fmt.Sprintf("10.0.%d.%d", i/256, i%256), start)
	}
	ticket, refused := g.admit("connected", "10.9.9.9")
	if refused != nil {
		t.Fatal(refused)
	}
	defer ticket.release()
	// The sweep after 1024 requests kept the fresh keys: their buckets were not full yet.
	if n := len(g.keys); n != 2*3000+2 {
		t.Fatalf("%d keys, want %d: the sweep dropped keys whose buckets were still refilling", n, 2*3000+2)
	}
	g.allowRequest("late", "10.8.8.8", start.Add(2*sweepEvery))
	if _, ok := g.keys["sub:connected"]; !ok {
		t.Error("the sweep dropped a key with an open connection")
	}
	if n := len(g.keys); n != 4 {
		t.Errorf("%d keys after the sweep, want 4 (the connected subject and address, and the late request's)", n)
	}
	// A swept key starts again with a full budget, which is what it had.
	if lim := g.allowRequest("user-1", "10.0.0.1", start.Add(2*sweepEvery)); lim != nil {
		t.Errorf("a swept key was refused: %v", lim.refusal.reason)
	}
}
