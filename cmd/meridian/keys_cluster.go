package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// keysCluster is `meridian keys cluster`: the cluster-key rotation through a node's admin API (see
// deploy/README.md, "Rotating the cluster key"). One node is enough: serf's key manager broadcasts each change
// to every member and the answer counts them.
//
//	meridian keys cluster list    --url https://eu1.example.com:8080
//	meridian keys cluster install --url ... --key-file new.key
//	meridian keys cluster use     --url ... --key-file new.key
//	meridian keys cluster remove  --url ... --key-file old.key
func keysCluster(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, keysClusterUsage)
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}
	op := args[0]
	if op != "list" && op != "install" && op != "use" && op != "remove" {
		fmt.Fprintf(stderr, "meridian keys cluster: unknown operation %q\n\n%s", op, keysClusterUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("meridian keys cluster "+op, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, keysClusterUsage) }
	target := fs.String("url", os.Getenv("MERIDIAN_URL"), "a node's URL: http(s)://host:port (ws(s)://host:port/ws works too) (env MERIDIAN_URL)")
	keyFile := fs.String("key-file", "", "file holding the cluster key (default: read it from stdin)")
	caFile := fs.String("ca", "", "PEM CA bundle to verify the node's HTTPS certificate (default: the system roots)")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long (the cluster answers once every member has)")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "meridian keys cluster %s: the key is read from --key-file or stdin, never from the command line "+
			"(it would show in ps and the shell history)\n", op)
		return errUsage
	}
	endpoint, err := clusterKeysEndpoint(*target)
	if err != nil {
		return err
	}
	token := os.Getenv("MERIDIAN_TOKEN")
	if token == "" {
		return errors.New("MERIDIAN_TOKEN is not set: mint an admin token with `meridian token --admin`")
	}
	client, err := adminHTTPClient(*caFile, *timeout)
	if err != nil {
		return err
	}
	var body io.Reader
	method := http.MethodGet
	if op != "list" {
		key, err := readClusterKey(*keyFile, stdin)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(map[string]string{"op": op, "key": key})
		body, method = bytes.NewReader(b), http.MethodPost
	}
	req, err := http.NewRequest(method, endpoint, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, answer, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(answer)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(answer, &e) == nil && e.Error != "" {
			stdout.Write(pretty.Bytes())
			return fmt.Errorf("%s: HTTP %d: %s", endpoint, resp.StatusCode, e.Error)
		}
		return fmt.Errorf("%s: HTTP %d: %s", endpoint, resp.StatusCode, strings.TrimSpace(string(answer)))
	}
	_, err = stdout.Write(append(bytes.TrimRight(pretty.Bytes(), "\n"), '\n'))
	return err
}

const keysClusterUsage = `Usage: meridian keys cluster list|install|use|remove --url URL [--key-file FILE] [--ca FILE]

Rotates the cluster key (gossip encryption and peer-stream authentication) on a live cluster through one
node's admin API; the change reaches every member. MERIDIAN_TOKEN must hold an admin token. The key is read
from --key-file, else from stdin, never from the command line. Keys are shown by fingerprint only.

  list     every key installed across the cluster, how many members hold it and use it as primary
  install  add a key to every member's keyring (accepted everywhere, not yet used)
  use      make an installed key every member's primary
  remove   remove a key from every member (not the primary): a node holding only it is cut off

Rotation: install NEW, use NEW, update MERIDIAN_CLUSTER_KEY on every node, remove OLD.
`

// clusterKeysEndpoint turns the node URL an operator gives (http, https, or the ws(s) URL the SDK tools take)
// into the admin endpoint.
func clusterKeysEndpoint(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("--url is required (or MERIDIAN_URL): a node's http(s)://host:port")
	}
	u, err := url.Parse(strings.Split(raw, ",")[0])
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("--url %q: want http(s)://host:port", raw)
	}
	switch u.Scheme {
	case "http", "https":
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return "", fmt.Errorf("--url %q: want http(s)://host:port", raw)
	}
	u.Path, u.RawQuery = "/v1/admin/cluster-keys", ""
	return u.String(), nil
}

// readClusterKey reads the key's first line from a file or stdin.
func readClusterKey(path string, stdin io.Reader) (string, error) {
	src := stdin
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		src = f
	}
	if src == nil {
		return "", errors.New("no key: give --key-file FILE or pipe the key on stdin")
	}
	line, err := bufio.NewReader(io.LimitReader(src, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	key := strings.TrimSpace(line)
	if len(key) < 16 {
		return "", fmt.Errorf("the key has %d bytes; a cluster key needs at least 16 (openssl rand -base64 32)", len(key))
	}
	return key, nil
}

func adminHTTPClient(caFile string, timeout time.Duration) (*http.Client, error) {
	c := &http.Client{Timeout: timeout}
	if caFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("--ca %s holds no PEM certificate", caFile)
	}
	c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return c, nil
}
