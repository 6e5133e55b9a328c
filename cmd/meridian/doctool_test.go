package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func traces(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../../shared/traces")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the shared traces must sit beside the checkout (../shared/traces): %v", err)
	}
	return dir
}

func runCLI(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, bytes.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// The TV1 update of yjs-protocol.md §8: client 1 types "hello" into root text "t".
var helloUpdate = []byte{0x01, 0x01, 0x01, 0x00, 0x04, 0x01, 0x01, 0x74, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x00}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDocJSONOfTraceStateMatchesTheTracesText(t *testing.T) {
	state := filepath.Join(traces(t), "yjs-fixtures", "automerge-paper.state.v1.bin")
	code, out, errOut := runCLI(t, nil, "doc", "json", state)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]string
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not a JSON object of strings: %v\n%.200s", err, out)
	}
	sum := sha256.Sum256([]byte(doc["text"]))
	if got := hex.EncodeToString(sum[:]); got != "a489e9022976c14e46627aea174d07797edcb3fd17df42605956d4cf01bf9039" {
		t.Fatalf("text root sha256 %s, want the manifest's final_text_sha256_utf8", got)
	}
}

func TestDocJSONReadsV2AndStdin(t *testing.T) {
	v2, err := os.ReadFile(filepath.Join(traces(t), "yjs-fixtures", "sveltecomponent.state.v2.bin"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, v2, "doc", "json", "--v2", "--root", "text=text", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]string
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc["text"]) == 0 {
		t.Fatalf("want a non-empty text root, got %v %.200s", err, out)
	}
}

func TestDocStateAndMergeAndSV(t *testing.T) {
	hello := writeFile(t, "hello.bin", helloUpdate)
	code, state, errOut := runCLI(t, nil, "doc", "state", hello)
	if code != 0 || !bytes.Equal([]byte(state), helloUpdate) {
		t.Fatalf("state: exit %d %s, got % x want % x", code, errOut, state, helloUpdate)
	}
	code, merged, errOut := runCLI(t, nil, "doc", "merge", hello, hello)
	if code != 0 || !bytes.Equal([]byte(merged), helloUpdate) {
		t.Fatalf("merging an update with itself must give it back: exit %d %s, got % x", code, errOut, merged)
	}
	code, sv, errOut := runCLI(t, nil, "doc", "sv", hello)
	if code != 0 || strings.Join(strings.Fields(sv), "") != `{"1":5}` {
		t.Fatalf("sv: exit %d %s, got %q", code, errOut, sv)
	}
	code, dump, errOut := runCLI(t, nil, "doc", "dump", hello)
	if code != 0 || !strings.Contains(dump, "hello") {
		t.Fatalf("dump: exit %d %s, got %q", code, errOut, dump)
	}
}

func TestDocRejectsGarbageWithAClearError(t *testing.T) {
	bad := writeFile(t, "bad.bin", []byte{0x05, 0xff, 0xff})
	for _, tool := range []string{"json", "state", "merge", "sv", "dump"} {
		code, out, errOut := runCLI(t, nil, "doc", tool, bad)
		if code == 0 || out != "" {
			t.Errorf("%s: garbage must fail with nothing on stdout, got exit %d, stdout %q", tool, code, out)
		}
		if !strings.Contains(errOut, "bad.bin") || !strings.Contains(errOut, "--v2") {
			t.Errorf("%s: the error must name the file and the format hint, got %q", tool, errOut)
		}
	}
	if code, _, errOut := runCLI(t, nil, "doc", "json", "--root", "x=tree", bad); code != 2 || !strings.Contains(errOut, "not one of text, map, array, xml") {
		t.Errorf("a bad --root kind must be a usage error naming the choices, got %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, nil, "doc", "json", "/no/such/file"); code != 1 || !strings.Contains(errOut, "/no/such/file") {
		t.Errorf("a missing file must be named, got %d %q", code, errOut)
	}
	if code, _, _ := runCLI(t, nil, "nonsense"); code != 2 {
		t.Errorf("an unknown command must exit 2, got %d", code)
	}
}
