package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// nodeAPI is the slice of a node's HTTP API the checker uses, as any client would use it.
type nodeAPI struct {
	base  string // http://host:port
	token string
	http  *http.Client
}

func newNodeAPI(addr, token string, client *http.Client) *nodeAPI {
	return &nodeAPI{base: "http://" + addr, token: token, http: client}
}

// docURL escapes the whole id, slashes too (%2F), so the server splits off "/update" unambiguously.
func (a *nodeAPI) docURL(id, suffix string) string {
	return a.base + "/v1/docs/" + url.PathEscape(id) + suffix
}

func (a *nodeAPI) do(ctx context.Context, method, u string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	// Documents here stay small (tokens only); the cap keeps a confused server from filling memory.
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return resp.StatusCode, b, err
}

// ready reports whether /readyz answers 200.
func (a *nodeAPI) ready(ctx context.Context) bool {
	st, _, err := a.do(ctx, http.MethodGet, a.base+"/readyz", nil)
	return err == nil && st == http.StatusOK
}

// regions returns the regions the node's GET /v1/cluster lists.
func (a *nodeAPI) regions(ctx context.Context) ([]string, error) {
	st, b, err := a.do(ctx, http.MethodGet, a.base+"/v1/cluster", nil)
	if err != nil {
		return nil, err
	}
	if st != http.StatusOK {
		return nil, fmt.Errorf("GET /v1/cluster: %d %s", st, strings.TrimSpace(string(b)))
	}
	var body struct {
		Regions []string `json:"regions"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return nil, fmt.Errorf("GET /v1/cluster: %w", err)
	}
	return body.Regions, nil
}

// postUpdate applies a v1 update and reports whether the node acknowledged it as durably stored.
func (a *nodeAPI) postUpdate(ctx context.Context, id string, update []byte) error {
	st, b, err := a.do(ctx, http.MethodPost, a.docURL(id, "/update"), update)
	if err != nil {
		return err
	}
	var body struct {
		Stored bool `json:"stored"`
	}
	if st != http.StatusOK || json.Unmarshal(b, &body) != nil || !body.Stored {
		return fmt.Errorf("POST update: %d %s", st, strings.TrimSpace(string(b)))
	}
	return nil
}

// state fetches the document's full state as a v1 update.
func (a *nodeAPI) state(ctx context.Context, id string) ([]byte, error) {
	st, b, err := a.do(ctx, http.MethodGet, a.docURL(id, "/update"), nil)
	if err != nil {
		return nil, err
	}
	if st != http.StatusOK {
		return nil, fmt.Errorf("GET update: %d %s", st, strings.TrimSpace(string(b)))
	}
	return b, nil
}
