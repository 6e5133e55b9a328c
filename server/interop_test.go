package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// readOnlyMarker is what the read-only client of interop/yjs-clients.mjs writes; it must reach nobody.
const readOnlyMarker = "READ-ONLY-EDIT"

// interopResult is what interop/yjs-clients.mjs prints.
type interopResult struct {
	Docs   map[string][]map[string]any `json:"docs"`
	Reader struct {
		CloseCode        int    `json:"closeCode"`
		CloseReason      string `json:"closeReason"`
		PermissionDenied bool   `json:"permissionDenied"`
	} `json:"reader"`
}

// TestInteropWithStockYWebsocket runs unmodified y-websocket WebsocketProviders (npm y-websocket 3.1.0, yjs,
// node >= 20) against a real `meridian serve` process: writers edit two documents concurrently (text, map,
// array, XML), two of them go offline and come back while the others edit, the token travels both as
// `params: { token }` and as a subprotocol, and a read-only client's edit is refused. Everyone must converge,
// GET /v1/docs/{id} must return the clients' JSON, and the read-only edit must appear nowhere.
func TestInteropWithStockYWebsocket(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is required for the interop test (the repository's npm workspace needs node >= 20)")
	}
	addr := freeAddr(t)
	startServeProcess(t, t.TempDir(), addr)
	writeTok := token(t, "write", true, false, "interop/*")
	readTok := token(t, "read", false, false, "interop/*")
	docs := []string{"interop/alpha", "interop/beta"}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{"yjs-clients.mjs", "ws://" + addr + "/ws", writeTok, readTok, "3"}, docs...)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir, _ = filepath.Abs("interop") // node resolves y-websocket, yjs and ws from the workspace
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node clients failed: %v\n%s", err, stderr.String())
	}
	var res interopResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("client output %q: %v\nstderr: %s", out, err, stderr.String())
	}

	if res.Reader.CloseCode != CloseForbidden || !res.Reader.PermissionDenied {
		t.Errorf("read-only client: closed with %d (%q), permission-denied message seen: %v; want %d after an auth message",
			res.Reader.CloseCode, res.Reader.CloseReason, res.Reader.PermissionDenied, CloseForbidden)
	}
	for _, doc := range docs {
		clients := res.Docs[doc]
		if len(clients) != 3 {
			t.Fatalf("%s: %d client states, want 3", doc, len(clients))
		}
		for i, c := range clients[1:] {
			if !reflect.DeepEqual(c, clients[0]) {
				t.Fatalf("%s: client %d diverged:\n%v\nvs\n%v", doc, i+2, c, clients[0])
			}
		}
		assertEveryClientsEditsSurvived(t, doc, clients[0])
		server := getDocJSON(t, addr, doc, writeTok)
		if !reflect.DeepEqual(server, clients[0]) {
			t.Fatalf("%s: server JSON differs from the clients':\nserver %v\nclient %v", doc, server, clients[0])
		}
		t.Logf("%s: 3 writers and the server agree (%d text bytes, %d array items); reader closed with %d %q",
			doc, len(server["text"].(string)), len(server["array"].([]any)), res.Reader.CloseCode, res.Reader.CloseReason)
		for _, state := range append(clients, server) {
			if b, _ := json.Marshal(state); bytes.Contains(b, []byte(readOnlyMarker)) {
				t.Fatalf("%s: the read-only client's edit got through: %s", doc, b)
			}
		}
	}
}

// assertEveryClientsEditsSurvived checks the converged state holds edits of every writer, including those the
// offline writers made while disconnected (rounds 5 to 12 for writer 1, 9 to 17 for writer 2).
func assertEveryClientsEditsSurvived(t *testing.T, doc string, state map[string]any) {
	t.Helper()
	array, _ := state["array"].([]any)
	seen := map[float64]bool{}
	for _, v := range array {
		if f, ok := v.(float64); ok {
			seen[f] = true
		}
	}
	// Round 23 is the last; writer w pushes w*100+round, and only the oldest array entries get deleted.
	for _, want := range []float64{100 + 7, 100 + 23, 200 + 12, 200 + 23, 300 + 23} {
		if !seen[want] {
			t.Errorf("%s: array lacks %v (an edit made %s): %v", doc, want, describeRound(want), array)
		}
	}
	if text, _ := state["text"].(string); strings.Count(text, ":") < 20 {
		t.Errorf("%s: too few text edits survived: %q", doc, text)
	}
	if xml, _ := state["xml"].(string); strings.Count(xml, "<p") != 3*6 {
		t.Errorf("%s: want 18 <p> elements (6 rounds x 3 writers), got %q", doc, xml)
	}
}

func describeRound(v float64) string {
	w, r := int(v)/100, int(v)%100
	if (w == 1 && r >= 5 && r < 13) || (w == 2 && r >= 9 && r < 18) {
		return fmt.Sprintf("offline by writer %d in round %d", w, r)
	}
	return fmt.Sprintf("online by writer %d in round %d", w, r)
}

func getDocJSON(t *testing.T, addr, doc, tok string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+"/v1/docs/"+doc, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var state map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &state) != nil {
		t.Fatalf("GET /v1/docs/%s: %d %s", doc, resp.StatusCode, body)
	}
	return state
}
