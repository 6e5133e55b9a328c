package server

import (
	"encoding/json"
	"errors"
	"github.com/meridian-sync/meridian/replication"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// The cluster keyring API rotates the cluster key without downtime (SECURITY.md, deploy/README.md):
//
//	GET  /v1/admin/cluster-keys                          every member's keys, by fingerprint
//	POST /v1/admin/cluster-keys {"op":"install","key":K}  add K to every member's keyring
//	POST /v1/admin/cluster-keys {"op":"use","key":K}      make K every member's primary
//	POST /v1/admin/cluster-keys {"op":"remove","key":K}   remove K everywhere (never the primary)
//
// Each change goes through serf's key manager, which broadcasts it to every member and collects their answers;
// gossip and peer streams follow the keyring at once. Every change is an audit line naming the key by its
// fingerprint, never the key. An admin token is required.

// clusterKeyRequest is the body of a POST.
type clusterKeyRequest struct {
	Op  string `json:"op"`
	Key string `json:"key"`
}

// clusterKeyAnswer is what a POST or GET answers: the members' report, and for a change the fingerprint of
// the key it named. Error is set when some member did not apply it.
type clusterKeyAnswer struct {
	Op          string                    `json:"op,omitempty"`
	Fingerprint string                    `json:"fingerprint,omitempty"`
	Error       string                    `json:"error,omitempty"`
	Report      replication.KeyringReport `json:"report"`
}

// maxClusterKeyBody bounds the request body: a key and an op fit in far less.
const maxClusterKeyBody = 4 << 10

func (s *Server) handleClusterKeys(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		if s.adminAudited(w, r, "cluster_key.list", "") == nil || !s.keyringAvailable(w) {
			return
		}
		rep, err := s.gossip.ListKeys()
		s.answerKeyring(w, clusterKeyAnswer{Report: rep}, err)
	case http.MethodPost:
		s.changeClusterKey(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, "use GET to list the cluster keys, POST {op, key} to change them")
	}
}

func (s *Server) changeClusterKey(w http.ResponseWriter, r *http.Request) {
	p := s.adminAudited(w, r, "cluster_key.change", "")
	if p == nil || !s.keyringAvailable(w) {
		return
	}
	var req clusterKeyRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxClusterKeyBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, `the body must be JSON {"op": "install"|"use"|"remove", "key": "..."}: `+err.Error())
		return
	}
	change, ok := map[string]func([]byte) (replication.KeyringReport, error){
		"install": s.gossip.InstallKey, "use": s.gossip.UseKey, "remove": s.gossip.RemoveKey,
	}[req.Op]
	if !ok {
		writeError(w, http.StatusBadRequest, `op must be "install", "use" or "remove"`)
		return
	}
	// Trailing whitespace is almost always the newline of a key file, never meant as part of the key.
	secret := []byte(strings.TrimSpace(req.Key))
	if len(secret) < replication.MinClusterKeyLen {
		writeError(w, http.StatusBadRequest, "key must have at least 16 bytes, like --cluster-key (openssl rand -base64 32)")
		return
	}
	fp := replication.Fingerprint(replication.DeriveKey(secret))
	rep, err := change(secret)
	s.audit(r.Context(), "cluster_key."+req.Op, actorOf(p, r), fp, err, "members", rep.Nodes, "answered", rep.Responses)
	s.answerKeyring(w, clusterKeyAnswer{Op: req.Op, Fingerprint: fp, Report: rep}, err)
}

// keyringAvailable answers 409 on a node without replication: there is no cluster keyring to change.
func (s *Server) keyringAvailable(w http.ResponseWriter) bool {
	if s.gossip == nil {
		writeError(w, http.StatusConflict, "replication is off on this node (no --peer-addr): there is no cluster keyring")
		return false
	}
	return true
}

// answerKeyring writes the report; when some member did not apply the change the status is 502, since the
// refusal came from the cluster, and the report's errors say which member and why.
func (s *Server) answerKeyring(w http.ResponseWriter, a clusterKeyAnswer, err error) {
	status := http.StatusOK
	if err != nil {
		status = http.StatusBadGateway
		a.Error = strings.TrimPrefix(err.Error(), replication.ErrKeyring.Error()+": ")
		// The members' own reasons ("Removing the primary key is not allowed") say what to do next.
		nodes := slices.Sorted(maps.Keys(a.Report.Errors))
		for _, n := range nodes {
			a.Error += "; " + n + ": " + a.Report.Errors[n]
		}
		if !errors.Is(err, replication.ErrKeyring) {
			status = http.StatusInternalServerError
		}
	}
	writeJSON(w, status, a)
}
