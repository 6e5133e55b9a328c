package oracle

import (
	"encoding/json"
	"fmt"
)

// MergeUpdates is Y.mergeUpdates (v2: Y.mergeUpdatesV2).
func (o *Oracle) MergeUpdates(updates [][]byte, v2 bool) ([]byte, error) {
	var out []byte
	err := o.call("merge", map[string]any{"updates": nonNil(updates), "v2": v2}, &out)
	return out, err
}

// DiffUpdate is Y.diffUpdate (v2: Y.diffUpdateV2); sv is an encoded state vector.
func (o *Oracle) DiffUpdate(update, sv []byte, v2 bool) ([]byte, error) {
	var out []byte
	err := o.call("diff", map[string]any{"update": nonNilBytes(update), "sv": nonNilBytes(sv), "v2": v2}, &out)
	return out, err
}

// StateVectorFromUpdate is Y.encodeStateVectorFromUpdate (v2: …V2); the result is an encoded state vector.
func (o *Oracle) StateVectorFromUpdate(update []byte, v2 bool) ([]byte, error) {
	var out []byte
	err := o.call("stateVector", map[string]any{"update": nonNilBytes(update), "v2": v2}, &out)
	return out, err
}

// Convert is Y.convertUpdateFormatV1ToV2 when toV2, else Y.convertUpdateFormatV2ToV1.
func (o *Oracle) Convert(update []byte, toV2 bool) ([]byte, error) {
	var out []byte
	err := o.call("convert", map[string]any{"update": nonNilBytes(update), "toV2": toV2}, &out)
	return out, err
}

// ApplyRequest describes a fresh Y.Doc and the updates to apply to it, in order.
type ApplyRequest struct {
	Updates [][]byte
	V2      bool              // the updates are in format v2
	GC      bool              // the Y.Doc's gc option
	Roots   map[string]string // root name -> "text", "array", "map" or "xml"; typed before the first update
}

// DocState is what Yjs reports about a document.
type DocState struct {
	StateV1, StateV2 []byte          // Y.encodeStateAsUpdate / …V2
	StateVector      []byte          // Y.encodeStateVector
	Snapshot         []byte          // Y.encodeSnapshot(Y.snapshot(doc))
	JSON             json.RawMessage // {root: toJSON()}; binary as base64 strings, as Go's encoding/json writes []byte
	HasPending       bool            // structs or deletes wait for missing updates
}

// wireDocState is DocState as the harness sends it; the JSON arrives as a string so it stays verbatim.
type wireDocState struct {
	StateV1     []byte `json:"stateV1"`
	StateV2     []byte `json:"stateV2"`
	StateVector []byte `json:"stateVector"`
	Snapshot    []byte `json:"snapshot"`
	JSON        string `json:"json"`
	HasPending  bool   `json:"hasPending"`
}

func (w wireDocState) docState() DocState {
	return DocState{
		StateV1: w.StateV1, StateV2: w.StateV2, StateVector: w.StateVector, Snapshot: w.Snapshot,
		JSON: json.RawMessage(w.JSON), HasPending: w.HasPending,
	}
}

// Apply creates a fresh Y.Doc, types its roots, applies req.Updates in order and describes the result.
func (o *Oracle) Apply(req ApplyRequest) (*DocState, error) {
	for name, kind := range req.Roots {
		if !validRootKind(kind) {
			return nil, fmt.Errorf("oracle apply: root %q has kind %q; want text, array, map or xml", name, kind)
		}
	}
	roots := req.Roots
	if roots == nil {
		roots = map[string]string{}
	}
	var w wireDocState
	err := o.call("apply", map[string]any{"updates": nonNil(req.Updates), "v2": req.V2, "gc": req.GC, "roots": roots}, &w)
	if err != nil {
		return nil, err
	}
	s := w.docState()
	return &s, nil
}

func validRootKind(kind string) bool {
	switch kind {
	case "text", "array", "map", "xml":
		return true
	}
	return false
}

// nonNil keeps a nil list from travelling as JSON null, which the harness rejects.
func nonNil(updates [][]byte) [][]byte {
	if updates == nil {
		return [][]byte{}
	}
	out := make([][]byte, len(updates))
	for i, u := range updates {
		out[i] = nonNilBytes(u)
	}
	return out
}

// nonNilBytes keeps a nil slice from travelling as JSON null instead of an empty base64 string.
func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
