package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/replication/membership"
	"github.com/meridian-sync/meridian/server"
)

const clusterTestSecret = "cluster-keys-test-secret-0123456789abcdef"

func loopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startClusterNode runs a one-node cluster (replication and gossip on) and returns its HTTP URL.
func startClusterNode(t *testing.T, clusterKey string) string {
	t.Helper()
	return serveForTest(t, server.Config{DataDir: t.TempDir(), Listen: ":0", JWTSecret: clusterTestSecret,
		Region: "eu", Node: "n1",
		Cluster: server.ClusterConfig{PeerAddr: loopbackAddr(t), GossipAddr: loopbackAddr(t), ClusterKey: clusterKey}}).URL
}

func adminToken(t *testing.T, admin bool) string {
	t.Helper()
	tok, err := server.TokenOptions{Secret: clusterTestSecret, Docs: []string{"*"}, Perm: "write", Admin: admin,
		TTL: time.Hour}.Mint()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// keysCLI runs `meridian keys cluster ...` with stdin and returns the exit code, stdout and stderr.
func keysCLI(stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(append([]string{"keys", "cluster"}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

type listed struct {
	Report membership.KeyringReport `json:"report"`
}

func TestKeysClusterRotatesThroughTheAdminAPI(t *testing.T) {
	const oldKey, newKey = "the old cluster key for the CLI test", "the new cluster key for the CLI test"
	url := startClusterNode(t, oldKey)
	t.Setenv("MERIDIAN_TOKEN", adminToken(t, true))
	keyFile := filepath.Join(t.TempDir(), "new.key")
	if err := os.WriteFile(keyFile, []byte(newKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fp := func(k string) string { return membership.Fingerprint(membership.DeriveKey([]byte(k))) }

	if code, out, errOut := keysCLI("", "install", "--url", url, "--key-file", keyFile); code != 0 ||
		!strings.Contains(out, fp(newKey)) {
		t.Fatalf("install: exit %d, %s %s", code, out, errOut)
	}
	code, out, errOut := keysCLI("", "list", "--url", url)
	var l listed
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil || len(l.Report.Keys) != 2 {
		t.Fatalf("list after install: exit %d, %s %s", code, out, errOut)
	}
	if l.Report.Keys[0].Fingerprint != fp(oldKey) || l.Report.Keys[0].PrimaryOn != 1 || l.Report.Keys[1].Fingerprint != fp(newKey) {
		t.Fatalf("list after install: %s", out)
	}
	// The ws:// URL the SDK tools take works too; the key comes from stdin.
	wsURL := "ws" + strings.TrimPrefix(url, "http") + "/ws"
	if code, out, errOut := keysCLI(newKey+"\n", "use", "--url", wsURL); code != 0 {
		t.Fatalf("use: exit %d, %s %s", code, out, errOut)
	}
	if code, _, errOut := keysCLI(newKey, "remove", "--url", url); code != 1 || !strings.Contains(errOut, "primary") {
		t.Fatalf("removing the primary must fail saying why: exit %d, %s", code, errOut)
	}
	if code, out, errOut := keysCLI(oldKey, "remove", "--url", url); code != 0 {
		t.Fatalf("remove: exit %d, %s %s", code, out, errOut)
	}
	_, out, _ = keysCLI("", "list", "--url", url)
	if json.Unmarshal([]byte(out), &l) != nil || len(l.Report.Keys) != 1 || l.Report.Keys[0].Fingerprint != fp(newKey) {
		t.Fatalf("list after rotation: %s", out)
	}
	if strings.Contains(out, newKey) || strings.Contains(out, oldKey) {
		t.Fatal("a key was printed")
	}
}

func TestKeysClusterRefusals(t *testing.T) {
	url := startClusterNode(t, "a cluster key for the refusal test")
	t.Setenv("MERIDIAN_TOKEN", adminToken(t, false))
	if code, _, errOut := keysCLI("", "list", "--url", url); code != 1 || !strings.Contains(errOut, "403") ||
		!strings.Contains(errOut, "admin token") {
		t.Fatalf("a non-admin token: exit %d, %s", code, errOut)
	}
	t.Setenv("MERIDIAN_TOKEN", "")
	if code, _, errOut := keysCLI("", "list", "--url", url); code != 1 || !strings.Contains(errOut, "MERIDIAN_TOKEN") {
		t.Fatalf("no token: exit %d, %s", code, errOut)
	}
	t.Setenv("MERIDIAN_TOKEN", adminToken(t, true))
	for name, c := range map[string]struct {
		stdin string
		args  []string
		code  int
		says  string
	}{
		"key on the command line": {"", []string{"install", "--url", url, "a key on the command line!"}, 2, "never from the command line"},
		"short key":               {"short\n", []string{"install", "--url", url}, 1, "at least 16"},
		"no url":                  {"", []string{"list", "--url", ""}, 1, "--url is required"},
		"bad url":                 {"", []string{"list", "--url", "ftp://x"}, 1, "want http(s)"},
		"unknown op":              {"", []string{"rotate"}, 2, "unknown operation"},
		"missing key file":        {"", []string{"use", "--url", url, "--key-file", "/nonexistent/key"}, 1, "no such file"},
	} {
		code, _, errOut := keysCLI(c.stdin, c.args...)
		if code != c.code || !strings.Contains(errOut, c.says) {
			t.Errorf("%s: exit %d, stderr %q; want %d saying %q", name, code, errOut, c.code, c.says)
		}
	}
}
