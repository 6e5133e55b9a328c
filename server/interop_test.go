package server

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestInteropWithRealYjsClients runs real Yjs (yjs + y-protocols from npm, node ≥ 20) clients through the
// server: concurrent text/map/array/XML edits, one client offline and back, then checks all clients converged
// and that GET /v1/docs/{id} returns the same JSON.
func TestInteropWithRealYjsClients(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is required for the interop test (the repository's npm workspace needs node >= 20)")
	}
	ts := startServer(t, "", nil)
	tok := token(t, "write", true, false, "interop/*")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	script, _ := filepath.Abs("interop/yjs-clients.mjs")
	wsBase := "ws" + strings.TrimPrefix(ts.http.URL, "http") + "/ws"
	out, err := exec.CommandContext(ctx, node, "--experimental-websocket", "--no-warnings", script, wsBase, "interop/doc", tok, "3").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("node clients failed: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var clients []map[string]any
	if err := json.Unmarshal(out, &clients); err != nil {
		t.Fatalf("client output %q: %v", out, err)
	}
	for i, c := range clients[1:] {
		if !reflect.DeepEqual(c, clients[0]) {
			t.Fatalf("client %d diverged:\n%v\nvs\n%v", i+2, c, clients[0])
		}
	}
	if text, _ := clients[0]["text"].(string); strings.Count(text, ":") < 20 {
		t.Fatalf("too few edits survived: %q", text)
	}
	status, body := ts.request("GET", "/v1/docs/interop/doc", tok, nil)
	var server map[string]any
	if status != 200 || json.Unmarshal(body, &server) != nil {
		t.Fatalf("GET: %d %s", status, body)
	}
	if !reflect.DeepEqual(server, clients[0]) {
		t.Fatalf("server JSON differs from the clients':\nserver %v\nclient %v", server, clients[0])
	}
}
