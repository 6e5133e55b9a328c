package client_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/client"
	"github.com/meridian-sync/meridian/crdt"
)

func dial(t *testing.T, ctx context.Context, s *server, doc string, opts ...client.Option) *client.Client {
	t.Helper()
	opts = append([]client.Option{client.WithToken(token(t, "write", time.Hour, doc)),
		client.WithBackoff(20*time.Millisecond, 200*time.Millisecond)}, opts...)
	c, err := client.Dial(ctx, s.url(), doc, opts...)
	if err != nil {
		t.Fatalf("dial %s: %v", doc, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func text(c *client.Client, name string) string {
	var s string
	c.Read(func(d *crdt.Doc) { s = d.GetText(name).String() })
	return s
}

func jsonOf(c *client.Client) string {
	var s string
	c.Read(func(d *crdt.Doc) { s = fmt.Sprint(d.ToJSON()) })
	return s
}

func TestConcurrentEditsConverge(t *testing.T) {
	s := startServer(t)
	ctx := testContext(t)
	const writers, edits = 3, 40
	clients := make([]*client.Client, writers)
	for i := range clients {
		clients[i] = dial(t, ctx, s, "converge")
	}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for j := range edits {
				err := c.Edit(func(d *crdt.Doc) {
					txt := d.GetText("t")
					_ = txt.Insert(rng.IntN(txt.Len()+1), fmt.Sprint(i), nil)
					arr := d.GetArray("a")
					_ = arr.Insert(rng.IntN(arr.Len()+1), fmt.Sprintf("%d.%d", i, j))
					_ = d.GetMap("m").Set(fmt.Sprint("k", rng.IntN(5)), int64(i*1000+j))
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for _, c := range clients {
		if err := c.WaitSaved(ctx); err != nil {
			t.Fatal(err)
		}
	}
	fresh := dial(t, ctx, s, "converge")
	want := jsonOf(fresh)
	for i, c := range clients {
		eventually(t, fmt.Sprintf("client %d to converge", i), func() bool { return jsonOf(c) == want })
	}
	var items []any
	fresh.Read(func(d *crdt.Doc) { items = d.GetArray("a").ToJSON() })
	seen := map[any]bool{}
	for _, it := range items {
		seen[it] = true
	}
	for i := range writers {
		for j := range edits {
			if !seen[fmt.Sprintf("%d.%d", i, j)] {
				t.Fatalf("edit %d.%d missing from %v", i, j, items)
			}
		}
	}
	if len(items) != writers*edits || len(text(fresh, "t")) != writers*edits {
		t.Fatalf("%d array items and %d characters, want %d each", len(items), len(text(fresh, "t")), writers*edits)
	}
}

func TestOfflineEditsSyncOnReconnect(t *testing.T) {
	s := startServer(t)
	ctx := testContext(t)
	c := dial(t, ctx, s, "offline")
	if err := c.Edit(func(d *crdt.Doc) { _ = d.GetText("t").Insert(0, "online ", nil) }); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitSaved(ctx); err != nil {
		t.Fatal(err)
	}
	s.stop()
	if err := c.WaitFor(ctx, func(st client.Status) bool { return st.State == client.StateOffline }); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := c.Edit(func(d *crdt.Doc) { _ = d.GetText("t").Insert(d.GetText("t").Len(), "off"+itoa(i), nil) }); err != nil {
			t.Fatal(err)
		}
	}
	if st := c.Status(); st.Pending != 5 || st.State == client.StateSaved {
		t.Fatalf("offline status %+v: want 5 pending edits, not saved", st)
	}
	s.restart()
	if err := c.WaitSaved(ctx); err != nil {
		t.Fatal(err)
	}
	fresh := dial(t, ctx, s, "offline")
	if got, want := text(fresh, "t"), "online off0off1off2off3off4"; got != want {
		t.Fatalf("server has %q, want %q", got, want)
	}
}

// TestCrashLosesNothingAcknowledged kills the server without warning while a client edits: everything the
// client saw acknowledged must be there after the restart, and the rest comes back from the offline directory
// of the restarted client program.
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	s := startServer(t)
	ctx := testContext(t)
	offline := t.TempDir()
	tok := client.WithToken(token(t, "write", time.Hour, "crash"))
	c, err := client.Dial(ctx, s.url(), "crash", tok, client.WithOfflineDir(offline),
		client.WithBackoff(20*time.Millisecond, 100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	const total = 60
	acked := -1
	for i := range total {
		if err := c.Edit(func(d *crdt.Doc) { _ = d.GetArray("a").Push(int64(i)) }); err != nil {
			t.Fatal(err)
		}
		if i == total/2 {
			s.crash() // mid-session, with edits in flight
			acked = i + 1 - c.Pending()
		}
	}
	if acked < 0 {
		t.Fatal("no crash")
	}
	t.Logf("%d of %d edits acknowledged before the crash", acked, total/2+1)
	c.Close() // the program stops too; its unacknowledged edits stay in the offline directory

	s.restart()
	reader := dial(t, ctx, s, "crash")
	var got []any
	reader.Read(func(d *crdt.Doc) { got = d.GetArray("a").ToJSON() })
	if len(got) < acked {
		t.Fatalf("after the crash the server has %d edits, but %d were acknowledged: %v", len(got), acked, got)
	}
	for i := range acked {
		if got[i] != int64(i) && got[i] != float64(i) {
			t.Fatalf("acknowledged edit %d is %v", i, got[i])
		}
	}

	resumed := dial(t, ctx, s, "crash", client.WithOfflineDir(offline))
	if err := resumed.WaitSaved(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "every edit on the server", func() bool {
		var n int
		reader.Read(func(d *crdt.Doc) { n = d.GetArray("a").Len() })
		return n == total
	})
}

func TestExpiringTokenIsRefreshedWithoutLosingEdits(t *testing.T) {
	for _, lead := range []time.Duration{time.Second, 0} { // refreshed ahead of expiry, or after the server's 4401
		t.Run(fmt.Sprint("lead=", lead), func(t *testing.T) {
			s := startServer(t)
			ctx := testContext(t)
			var mu sync.Mutex
			fetched := 0
			src := func(context.Context) (string, error) {
				mu.Lock()
				defer mu.Unlock()
				fetched++
				return token(t, "write", 2*time.Second, "expiring"), nil
			}
			c := dial(t, ctx, s, "expiring", client.WithTokenSource(src), client.WithRefreshLead(lead))
			deadline := time.Now().Add(5 * time.Second)
			n := 0
			for time.Now().Before(deadline) {
				if err := c.Edit(func(d *crdt.Doc) { _ = d.GetArray("a").Push(int64(n)) }); err != nil {
					t.Fatal(err)
				}
				n++
				time.Sleep(25 * time.Millisecond)
			}
			if err := c.WaitSaved(ctx); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			if fetched < 3 {
				t.Errorf("token source called %d times in 5s of 2s tokens, want >= 3", fetched)
			}
			mu.Unlock()
			fresh := dial(t, ctx, s, "expiring")
			var got int
			fresh.Read(func(d *crdt.Doc) { got = d.GetArray("a").Len() })
			if got != n {
				t.Fatalf("server has %d edits, want %d", got, n)
			}
		})
	}
}

func TestReadOnlyTokenRefusesLocalEditsVisibly(t *testing.T) {
	s := startServer(t)
	ctx := testContext(t)
	writer := dial(t, ctx, s, "ro")
	_ = writer.Edit(func(d *crdt.Doc) { _ = d.GetText("t").Insert(0, "written", nil) })
	if err := writer.WaitSaved(ctx); err != nil {
		t.Fatal(err)
	}
	reader := dial(t, ctx, s, "ro", client.WithToken(token(t, "read", time.Hour, "ro")))
	if got := text(reader, "t"); got != "written" {
		t.Fatalf("read-only client sees %q", got)
	}
	if err := reader.Edit(func(d *crdt.Doc) { _ = d.GetText("t").Insert(0, "sneaky ", nil) }); err != nil {
		t.Fatal(err) // accepted locally; the server's refusal arrives asynchronously
	}
	err := reader.WaitSaved(ctx)
	if !errors.Is(err, client.ErrReadOnly) {
		t.Fatalf("WaitSaved after a read-only edit: %v, want ErrReadOnly", err)
	}
	st := reader.Status()
	if st.State != client.StateClosed || !errors.Is(st.Err, client.ErrReadOnly) || st.Pending != 1 {
		t.Fatalf("status %+v: want closed with ErrReadOnly and the edit still pending", st)
	}
	if err := reader.Edit(func(*crdt.Doc) {}); !errors.Is(err, client.ErrReadOnly) {
		t.Fatalf("Edit after the refusal: %v, want ErrReadOnly", err)
	}
	if got := text(writer, "t"); got != "written" {
		t.Fatalf("the refused edit reached the document: %q", got)
	}
}

func TestRefusalsFailDial(t *testing.T) {
	s := startServer(t)
	ctx := testContext(t)
	cases := []struct {
		name string
		opts []client.Option
		want error
	}{
		{"no token", nil, client.ErrUnauthorized},
		{"bad signature", []client.Option{client.WithToken(token(t, "write", time.Hour, "d") + "x")}, client.ErrUnauthorized},
		{"other document", []client.Option{client.WithToken(token(t, "write", time.Hour, "other"))}, client.ErrForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.Dial(ctx, s.url(), "d", tc.opts...) // fails at once: retrying cannot help
			var ce *client.CloseError
			if !errors.Is(err, tc.want) || !errors.As(err, &ce) || ce.Reason == "" {
				t.Fatalf("Dial: %v, want %v with a reason", err, tc.want)
			}
		})
	}
}

func TestAwarenessBetweenClients(t *testing.T) {
	s := startServer(t)
	ctx := testContext(t)
	alice, bob := dial(t, ctx, s, "aw"), dial(t, ctx, s, "aw")
	var setErr error
	err := alice.Edit(func(d *crdt.Doc) { // awareness may be set while the document is locked
		_ = d.GetText("t").Insert(0, "typed", nil)
		setErr = alice.Awareness().SetLocalState(map[string]string{"name": "alice"})
	})
	if err != nil || setErr != nil {
		t.Fatal(err, setErr)
	}
	id := alice.Awareness().ClientID()
	eventually(t, "bob to see alice", func() bool { return string(bob.Awareness().States()[id]) == `{"name":"alice"}` })
	alice.Close()
	eventually(t, "bob to see alice leave", func() bool { _, ok := bob.Awareness().States()[id]; return !ok })
}

func TestContextCancelClosesWithoutLeaks(t *testing.T) {
	s := startServer(t)
	before := runtime.NumGoroutine()
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		c, err := client.Dial(ctx, s.url(), "leak", client.WithToken(token(t, "write", time.Hour, "leak")))
		if err != nil {
			t.Fatal(err)
		}
		_ = c.Awareness().SetLocalState("here")
		cancel()
		if err := c.WaitFor(context.Background(), func(client.Status) bool { return false }); !errors.Is(err, client.ErrClosed) {
			t.Fatalf("waiting after cancel: %v, want ErrClosed", err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if err := c.Edit(func(*crdt.Doc) {}); !errors.Is(err, client.ErrClosed) {
			t.Fatalf("Edit after close: %v", err)
		}
	}
	// A client dialled against a dead server, closed while it backs off, must not leak either.
	ctx := testContext(t)
	c, err := client.Dial(ctx, "ws://"+freeAddr(t)+"/ws", "leak", client.WithoutWait())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitFor(ctx, func(st client.Status) bool { return st.State == client.StateOffline }); err != nil {
		t.Fatal(err)
	}
	c.Close()
	http := 0
	eventually(t, "goroutines to return to their count before the clients", func() bool {
		runtime.GC()
		http = runtime.NumGoroutine()
		return http <= before
	})
}
