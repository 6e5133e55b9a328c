package server

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/meridian-sync/meridian/server/protocol"
	"github.com/meridian-sync/meridian/server/store"
)

// usageFS is the OS's filesystem reporting the free space the test sets.
type usageFS struct {
	vfs.FS
	avail atomic.Uint64
}

func (f *usageFS) GetDiskUsage(string) (vfs.DiskUsage, error) {
	return vfs.DiskUsage{AvailBytes: f.avail.Load(), TotalBytes: 64 << 20}, nil
}

// A full disk refuses writes at once with 507 / 4507, keeps reads and the other connections working,
// reports not ready with the reason and in the metrics, logs once per change, and recovers by itself.
func TestFullDiskRefusesWritesKeepsReadsAndRecovers(t *testing.T) {
	fs := &usageFS{FS: vfs.Default}
	fs.avail.Store(48 << 20)
	ts := startServer(t, "", func(c *Config) {
		c.storeOptions = func(o *store.Options) { o.FS, o.HealthInterval = fs, 10*time.Millisecond }
	})
	writer := token(t, "write", false, false, "docs/*")
	if st, b := ts.request("POST", "/v1/docs/docs/a/update", writer, textUpdate(t, 1, "hello")); st != 200 {
		t.Fatalf("POST: %d %s", st, b)
	}
	reader := ts.connect("docs/a", "token="+writer) // connected before the disk fills
	reader.handshake()
	ws := ts.connect("docs/a", "token="+writer)
	ws.handshake()

	fs.avail.Store(1 << 20) // below the 8 MiB floor of a 64 MiB disk
	waitFor(t, "/readyz to report the full disk", func() bool {
		st, body := ts.request("GET", "/readyz", "", nil)
		return st == 503 && strings.Contains(string(body), "storage full")
	})
	st, body := ts.request("POST", "/v1/docs/docs/a/update", writer, textUpdate(t, 2, "lost"))
	if st != 507 || !strings.Contains(string(body), "storage is full") {
		t.Fatalf("POST on a full disk: %d %s, want 507 with a sentence", st, body)
	}
	ws.send(protocol.EncodeSyncUpdate(textUpdate(t, 3, "lost too")))
	ws.expectClose(CloseStorageFull)

	// Reads keep working: the connection opened before, a new one (its empty step 2 is no write), and HTTP.
	reader.send(protocol.EncodeSyncStep1([]byte{0}))
	if got := textOf(t, reader.expect("step 2", isSync(protocol.SyncStep2)).Sync.Payload); got != "hello" {
		t.Fatalf("existing connection reads %q", got)
	}
	late := ts.connect("docs/a", "token="+writer)
	late.expect("server step 1", isSync(protocol.SyncStep1))
	late.send(protocol.EncodeSyncStep2([]byte{0, 0}))
	late.send(protocol.EncodeSyncStep1([]byte{0}))
	if got := textOf(t, late.expect("step 2", isSync(protocol.SyncStep2)).Sync.Payload); got != "hello" {
		t.Fatalf("new connection reads %q", got)
	}
	if st, body := ts.request("GET", "/v1/docs/docs/a", writer, nil); st != 200 || !strings.Contains(string(body), `"hello"`) {
		t.Fatalf("GET on a full disk: %d %s", st, body)
	}
	_, metrics := ts.request("GET", "/metrics", "", nil)
	for _, want := range []string{`meridian_storage_state{state="full"} 1`, `meridian_refusals_total{reason="storage_full"} 2`} {
		if !strings.Contains(string(metrics), want) {
			t.Fatalf("metrics lack %s", want)
		}
	}

	fs.avail.Store(48 << 20) // space freed
	waitFor(t, "/readyz to recover", func() bool { st, _ := ts.request("GET", "/readyz", "", nil); return st == 200 })
	if st, b := ts.request("POST", "/v1/docs/docs/a/update", writer, textUpdate(t, 4, "again")); st != 200 {
		t.Fatalf("POST after recovery: %d %s", st, b)
	}
	reader.expect("the write after recovery", isSync(protocol.SyncUpdate))
	if n := strings.Count(ts.logs.String(), "storage full: refusing writes"); n != 1 {
		t.Fatalf("%d log lines for going full, want 1", n)
	}
	if n := strings.Count(ts.logs.String(), "storage ok: accepting writes again"); n != 1 {
		t.Fatalf("%d log lines for recovering, want 1", n)
	}
}

// The write that finds the disk full was already applied in memory: the room drops it (reloads from the
// store), closes that writer with 4507, and keeps its other connections, which never see the update.
func TestWriteRefusedAtCommitIsDroppedFromMemory(t *testing.T) {
	fs := &usageFS{FS: vfs.Default}
	fs.avail.Store(48 << 20)
	ts := startServer(t, "", func(c *Config) {
		// No periodic check: the commit loop's check before the batch is the one that finds the disk full.
		c.storeOptions = func(o *store.Options) { o.FS, o.HealthInterval = fs, time.Hour }
	})
	writer := token(t, "write", false, false, "docs/*")
	if st, b := ts.request("POST", "/v1/docs/docs/a/update", writer, textUpdate(t, 1, "hello")); st != 200 {
		t.Fatalf("POST: %d %s", st, b)
	}
	other := ts.connect("docs/a", "token="+writer)
	other.handshake()
	ws := ts.connect("docs/a", "token="+writer)
	ws.handshake()

	fs.avail.Store(1 << 20)
	ws.send(protocol.EncodeSyncUpdate(textUpdate(t, 2, "unstored ")))
	ws.expectClose(CloseStorageFull)
	if st, body := ts.request("GET", "/v1/docs/docs/a", writer, nil); st != 200 || strings.TrimSpace(string(body)) != `{"t":"hello"}` {
		t.Fatalf("document after the refused write: %d %s", st, body)
	}
	other.send(protocol.EncodeSyncStep1([]byte{0}))
	m := other.expect("step 2", func(m protocol.Message) bool { return m.Type == protocol.MessageSync })
	if m.Sync.Type != protocol.SyncStep2 || textOf(t, m.Sync.Payload) != "hello" {
		t.Fatalf("the other connection got %v %q, want step 2 without the refused update", m.Sync.Type, textOf(t, m.Sync.Payload))
	}
}
