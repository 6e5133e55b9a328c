package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/crdt"
)

// TestCompactionAndIdleUnload writes enough to trigger background compaction (crdt.MergeUpdates), lets the
// document unload, and checks it reloads from the compacted snapshot with nothing lost.
func TestCompactionAndIdleUnload(t *testing.T) {
	ts := startServer(t, "", func(c *Config) {
		c.CompactEntries = 5
		c.Limits.IdleUnload = 200 * time.Millisecond
	})
	tok := token(t, "write", false, false, "c")
	d := crdt.NewDoc(crdt.WithClientID(42))
	var last []byte
	d.OnUpdate(func(u []byte, _ any) { last = u })
	text := d.GetText("t")
	for i := range 23 {
		_ = text.Insert(text.Len(), fmt.Sprint(i%10), nil)
		if st, b := ts.request("POST", "/v1/docs/c/update", tok, last); st != 200 {
			t.Fatalf("POST %d: %d %s", i, st, b)
		}
	}
	metric := func(name string) string {
		_, b := ts.request("GET", "/metrics", "", nil)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, name+" ") {
				return strings.TrimPrefix(line, name+" ")
			}
		}
		return ""
	}
	deadline := time.Now().Add(5 * time.Second)
	for metric("meridian_documents_loaded") != "0" || metric("meridian_store_compactions_total") == "0" {
		if time.Now().After(deadline) {
			t.Fatalf("loaded=%s compactions=%s", metric("meridian_documents_loaded"), metric("meridian_store_compactions_total"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	info, ok, err := ts.srv.store.Info("c")
	if err != nil || !ok || info.LogCount >= 5 || info.SnapshotBytes == 0 {
		t.Fatalf("store after compaction: %+v %v %v", info, ok, err)
	}
	c := ts.connect("c", "token="+tok)
	if got, want := textOf(t, c.handshake()), text.String(); got != want {
		t.Fatalf("reloaded %q, want %q", got, want)
	}
}
