package server

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/server/protocol"
)

func TestHTTPAPI(t *testing.T) {
	ts := startServer(t, "", nil)
	writer := token(t, "write", false, false, "docs/*")
	admin := token(t, "read", false, true, "*")
	reader := token(t, "read", false, false, "docs/a")

	if st, _ := ts.request("POST", "/v1/docs/docs/a/update", reader, textUpdate(t, 1, "x")); st != 403 {
		t.Fatalf("read-only POST: %d", st)
	}
	if st, _ := ts.request("POST", "/v1/docs/docs/a/update", "", textUpdate(t, 1, "x")); st != 401 {
		t.Fatalf("anonymous POST: %d", st)
	}
	if st, b := ts.request("POST", "/v1/docs/docs/a/update", writer, textUpdate(t, 1, "hello")); st != 200 {
		t.Fatalf("POST: %d %s", st, b)
	}
	if st, b := ts.request("POST", "/v1/docs/docs/a/update", writer, []byte{9, 9, 9}); st != 400 {
		t.Fatalf("malformed POST: %d %s", st, b)
	}
	st, body := ts.request("GET", "/v1/docs/docs/a", reader, nil)
	if st != 200 || strings.TrimSpace(string(body)) != `{"t":"hello"}` {
		t.Fatalf("GET: %d %s", st, body)
	}
	st, body = ts.request("GET", "/v1/docs/docs/a/update", reader, nil)
	if st != 200 || textOf(t, body) != "hello" {
		t.Fatalf("GET update: %d", st)
	}
	// With the state vector of the full state, the diff carries no structs.
	d := crdt.NewDoc()
	_ = d.ApplyUpdate(body)
	sv := url.QueryEscape(base64.StdEncoding.EncodeToString(d.EncodeStateVector()))
	st, body = ts.request("GET", "/v1/docs/docs/a/update?sv="+sv, reader, nil)
	if _, hasStructs, err := protocol.DecodeStructlessUpdate(body); st != 200 || err != nil || hasStructs {
		t.Fatalf("diff against the full state: %d %v %v", st, hasStructs, err)
	}
	if st, _ := ts.request("GET", "/v1/docs", reader, nil); st != 403 {
		t.Fatalf("list without admin: %d", st)
	}
	ts.request("POST", "/v1/docs/docs/b/update", writer, textUpdate(t, 2, "b"))
	st, body = ts.request("GET", "/v1/docs?prefix=docs/&limit=1", admin, nil)
	var page struct {
		Documents  []struct{ ID string }
		NextCursor string
	}
	if json.Unmarshal(body, &page); st != 200 || len(page.Documents) != 1 || page.Documents[0].ID != "docs/a" || page.NextCursor != "docs/a" {
		t.Fatalf("list: %d %s", st, body)
	}
	st, body = ts.request("GET", "/v1/cluster", admin, nil)
	if st != 200 || !strings.Contains(string(body), `"region":"test-region"`) {
		t.Fatalf("cluster: %d %s", st, body)
	}
	// Delete: live connections are closed, the document is gone everywhere, and stays gone.
	live := ts.connect("docs/a", "token="+writer)
	live.handshake()
	if st, b := ts.request("DELETE", "/v1/docs/docs/a", writer, nil); st != 403 {
		t.Fatalf("delete without admin: %d %s", st, b)
	}
	if st, b := ts.request("DELETE", "/v1/docs/docs/a", admin, nil); st != 200 {
		t.Fatalf("delete: %d %s", st, b)
	}
	live.expectClose(CloseDeleted)
	if st, _ := ts.request("GET", "/v1/docs/docs/a", reader, nil); st != 410 {
		t.Fatalf("GET deleted: %d", st)
	}
	ts.connect("docs/a", "token="+writer).expectClose(CloseDeleted)
	for _, path := range []string{"/healthz", "/readyz"} {
		if st, _ := ts.request("GET", path, "", nil); st != 200 {
			t.Fatalf("%s: %d", path, st)
		}
	}
}
