package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// One id names one document on every path: "." and ".." segments are refused by the same rule (the same
// sentence) on the HTTP API and on the WebSocket, and no path is redirected to another document.
func TestDotSegmentsAreRefusedAlikeAndNeverRedirected(t *testing.T) {
	ts := startServer(t, "", nil)
	tok := token(t, "write", false, true, "*")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range []struct{ path, id string }{
		{"a/../b", "a/../b"}, {"a/./b", "a/./b"}, {"./b", "./b"}, {"../b", "../b"}, {"a/..", "a/.."}, {"a/.", "a/."},
		{"a/%2e%2e/b", "a/../b"}, // the HTTP API decodes the id: the decoded id is what is checked
	} {
		want := ValidateDocID(c.id)
		if want == nil || !strings.Contains(want.Error(), "segment") {
			t.Fatalf("ValidateDocID(%q) = %v, want a dot-segment refusal", c.id, want)
		}
		for _, p := range []string{"/v1/docs/" + c.path, "/v1/docs/" + c.path + "/update"} {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				if method == http.MethodPost && !strings.HasSuffix(p, "/update") {
					continue
				}
				req, _ := http.NewRequest(method, ts.http.URL+p, strings.NewReader("x"))
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := noRedirect.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				if got := errorOf(resp); resp.StatusCode != http.StatusBadRequest || got != want.Error() {
					t.Errorf("%s %s: got %d %q, want 400 %q", method, p, resp.StatusCode, got, want.Error())
				}
			}
		}
		if strings.Contains(c.path, "%") {
			continue // the WebSocket path is not decoded: '%' is refused there as a character, not a segment
		}
		// A WebSocket handshake: upgraded, then closed 4404 with the same sentence.
		conn, resp, derr := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(ts.http.URL, "http")+"/ws/"+c.path+"?token="+tok, nil)
		if derr != nil {
			t.Fatalf("ws %s: %v (status %v)", c.path, derr, statusOf(resp))
		}
		_, _, err := conn.ReadMessage()
		conn.Close()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != CloseBadDocID || ce.Text != want.Error() {
			t.Errorf("ws %s: got %v, want close %d %q", c.path, err, CloseBadDocID, want.Error())
		}
		// A plain GET of the WebSocket path: the same sentence as a 400, never a redirect.
		resp, err = noRedirect.Get(ts.http.URL + "/ws/" + c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := errorOf(resp); resp.StatusCode != http.StatusBadRequest || got != want.Error() {
			t.Errorf("GET /ws/%s: got %d %q (Location %q), want 400 %q", c.path, resp.StatusCode, got, resp.Header.Get("Location"), want.Error())
		}
	}
}

// errorOf reads and closes an API answer and returns its error sentence.
func errorOf(resp *http.Response) string {
	defer resp.Body.Close()
	var body apiError
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return body.Error
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}
