package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/meridian-sync/meridian/crdt"
)

// fakeStore holds documents as a Meridian node would, behind a lock. Several fake nodes sharing one
// store behave as a perfectly replicated cluster; one store per node, as nodes that never replicate.
type fakeStore struct {
	mu   sync.Mutex
	docs map[string]*crdt.Doc
	// dropAfterAck, when > 0, acknowledges every dropAfterAck-th write without storing it: the lost
	// write the checker must catch.
	dropAfterAck int
	writes       int
}

func newFakeStore() *fakeStore { return &fakeStore{docs: map[string]*crdt.Doc{}} }

func (s *fakeStore) doc(id string) *crdt.Doc {
	d, ok := s.docs[id]
	if !ok {
		d = crdt.NewDoc(crdt.WithClientID(0))
		s.docs[id] = d
	}
	return d
}

func (s *fakeStore) apply(id string, update []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if s.dropAfterAck > 0 && s.writes%s.dropAfterAck == 0 {
		return nil
	}
	return s.doc(id).ApplyUpdate(update)
}

func (s *fakeStore) state(id string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.doc(id).EncodeStateAsUpdate(nil)
}

// fakeNode serves the part of Meridian's HTTP API the checker uses, over store.
func fakeNode(t *testing.T, store *fakeStore, regions []string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer test-token" {
			http.Error(w, `{"error":"bad token"}`, http.StatusUnauthorized)
			return
		}
		switch {
		case r.URL.Path == "/readyz":
			_, _ = io.WriteString(w, "ready\n")
		case r.URL.Path == "/v1/cluster":
			_ = json.NewEncoder(w).Encode(map[string]any{"regions": regions})
		case strings.HasPrefix(r.URL.Path, "/v1/docs/"):
			rest, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.EscapedPath(), "/v1/docs/"), "/update")
			id, err := url.PathUnescape(rest)
			if !ok || err != nil {
				http.Error(w, "bad path", http.StatusBadRequest)
				return
			}
			if r.Method == http.MethodGet {
				_, _ = w.Write(store.state(id))
				return
			}
			body, _ := io.ReadAll(r.Body)
			if err := store.apply(id, body); err != nil {
				http.Error(w, `{"error":"`+err.Error()+`"}`, http.StatusBadRequest)
				return
			}
			_, _ = io.WriteString(w, `{"stored":true}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func hostPort(srv *httptest.Server) string { return strings.TrimPrefix(srv.URL, "http://") }

// stateOf builds the docState a node holding these tokens (written by one client) would report.
func stateOf(t *testing.T, tokens ...string) docState {
	t.Helper()
	d := crdt.NewDoc(crdt.WithClientID(7))
	for _, tok := range tokens {
		if err := d.GetArray(tokensRoot).Push(tok); err != nil {
			t.Fatal(err)
		}
	}
	st, err := decodeState(d.EncodeStateAsUpdate(nil))
	if err != nil {
		t.Fatal(err)
	}
	return st
}
