package client_test

import (
	"strings"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/client"
	"github.com/meridian-sync/meridian/crdt"
)

func appendText(t *testing.T, c *client.Client, s string) {
	t.Helper()
	err := c.Edit(func(d *crdt.Doc) {
		txt := d.GetText("t")
		_ = txt.Insert(txt.Len(), s, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// serverText reads the document from one server alone, with a fresh client.
func serverText(t *testing.T, s *server, doc string) string {
	t.Helper()
	c := dial(t, testContext(t), s, doc)
	defer c.Close()
	return text(c, "t")
}

// Two servers that share nothing (no replication): the client's first sync on the new endpoint carries
// everything that server lacks, so edits survive the loss of a server and reach the other one.
func TestFailoverToAnotherEndpointAndBack(t *testing.T) {
	ctx := testContext(t)
	a, b := startServer(t), startServer(t)
	byURL := map[string]*server{a.url(): a, b.url(): b}
	doc := "failover"
	c, err := client.Dial(ctx, a.url(), doc, client.WithEndpoints(b.url()),
		client.WithToken(token(t, "write", time.Hour, doc)),
		client.WithBackoff(20*time.Millisecond, 200*time.Millisecond),
		client.WithFailbackInterval(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	appendText(t, c, "one ")
	if err := c.WaitSaved(ctx); err != nil {
		t.Fatal(err)
	}
	first := byURL[c.Status().Endpoint]
	if first == nil {
		t.Fatalf("connected to %q, not one of the endpoints", c.Status().Endpoint)
	}
	other := a
	if first == a {
		other = b
	}

	// The server in use goes away; the client keeps editing and moves to the other one.
	first.stop()
	appendText(t, c, "two ")
	eventually(t, "the move to the other endpoint", func() bool {
		st := c.Status()
		return st.Endpoint == other.url() && st.State == client.StateSaved
	})
	appendText(t, c, "three ")
	if err := c.WaitSaved(ctx); err != nil {
		t.Fatal(err)
	}
	if got := serverText(t, other, doc); got != "one two three " {
		t.Fatalf("the other server holds %q, want every edit", got)
	}

	// The preferred server is back: the client returns to it, and brings it what it missed.
	first.restart()
	eventually(t, "the return to the preferred endpoint", func() bool {
		st := c.Status()
		return st.Endpoint == first.url() && st.State == client.StateSaved
	})
	appendText(t, c, "four")
	if err := c.WaitSaved(ctx); err != nil {
		t.Fatal(err)
	}
	if got := serverText(t, first, doc); got != "one two three four" {
		t.Fatalf("the preferred server holds %q after the return", got)
	}
	if got := text(c, "t"); got != "one two three four" {
		t.Fatalf("client holds %q", got)
	}
}

func TestEndpointsAreValidatedAndDeduplicated(t *testing.T) {
	ctx := testContext(t)
	s := startServer(t)
	if _, err := client.Dial(ctx, s.url(), "d", client.WithEndpoints("ftp://nope")); err == nil ||
		!strings.Contains(err.Error(), "want a ws, wss, http or https URL") {
		t.Fatalf("bad endpoint: %v", err)
	}
	// The same server twice is one endpoint; a dead one is skipped in favour of the live one.
	dead := "ws://" + freeAddrOrFail(t) + "/ws"
	c := dial(t, ctx, s, "d", client.WithEndpoints(s.url(), dead))
	if st := c.Status(); st.Endpoint != s.url() {
		t.Fatalf("endpoint %q", st.Endpoint)
	}
}

func freeAddrOrFail(t *testing.T) string {
	addr, err := freeListener()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}
