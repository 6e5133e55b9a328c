package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// runHealthcheck is `meridian healthcheck`: it asks a node's /readyz whether the node is ready and fails
// (exit 1) when it is not, cannot be reached, or does not answer in time. Container images carry no curl, so
// the Dockerfile's HEALTHCHECK and compose's healthcheck call this instead.
//
// With no --addr it checks the node this container runs: the port of MERIDIAN_LISTEN (as `serve` reads it)
// on loopback, so one HEALTHCHECK line follows whatever port the deployment configures; over https when
// MERIDIAN_TLS_CERT is set, as `serve` then serves TLS only.
func runHealthcheck(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("meridian healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: meridian healthcheck [flags]\n\nExits 0 when the node's /readyz answers 200, 1 otherwise.\n\nFlags:")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "", "node to check: host:port or http(s)://host:port (default: loopback at the port of MERIDIAN_LISTEN, else 8080)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	target, ownNodeOverTLS := *addr, false
	if target == "" {
		target = loopbackFor(os.Getenv("MERIDIAN_LISTEN"))
		if os.Getenv("MERIDIAN_TLS_CERT") != "" {
			// The node serves https only. Its certificate names the public host, not 127.0.0.1, so the check of
			// our own node over loopback does not verify it; an explicit --addr https://... is verified as usual.
			target, ownNodeOverTLS = "https://"+target, true
		}
	}
	u, err := readyURL(target)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	client := http.DefaultClient
	if ownNodeOverTLS {
		client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	}
	if err := checkReady(ctx, client, u); err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, "ready")
	return err
}

// loopbackFor turns a listen address (":8080", "0.0.0.0:9000", "[::]:8080") into one a process in the same
// container can dial: a wildcard or missing host becomes 127.0.0.1.
func loopbackFor(listen string) string {
	if listen == "" {
		return "127.0.0.1:8080"
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen // let readyURL explain what is wrong with it
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// readyURL builds the /readyz URL of a node given as host:port or as a base URL.
func readyURL(target string) (string, error) {
	base := target
	if !strings.Contains(base, "://") {
		if _, _, err := net.SplitHostPort(base); err != nil {
			return "", fmt.Errorf("--addr %q: want host:port or http://host:port: %v", target, err)
		}
		base = "http://" + base
	}
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return "", fmt.Errorf("--addr %q: only http and https are supported", target)
	}
	return strings.TrimSuffix(base, "/") + "/readyz", nil
}

// checkReady GETs url and wants a 200; any other answer is reported with the start of its body, which the
// server fills with the reason (for example "not ready" while bootstrapping).
func checkReady(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
