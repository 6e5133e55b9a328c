package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/crdt/conformance/oracle"
	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// goState is what the Go engine reports about a document, in the shape of oracle.DocState.
func goState(doc *crdt.Doc) (oracle.DocState, error) {
	js, err := json.Marshal(jsonable(doc.ToJSON()))
	if err != nil {
		return oracle.DocState{}, fmt.Errorf("marshalling the Go document's ToJSON: %w", err)
	}
	return oracle.DocState{
		StateV1:     doc.EncodeStateAsUpdate(nil),
		StateV2:     doc.EncodeStateAsUpdateV2(nil),
		StateVector: doc.EncodeStateVector(),
		Snapshot:    doc.Snapshot().Encode(),
		JSON:        js,
		HasPending:  doc.HasPending(),
	}, nil
}

// jsonable turns a Go ToJSON value into plain maps and slices that encoding/json accepts, the way the
// harness turns Yjs's toJSON into JSON: a bigint becomes a number (lib0.Object's own MarshalJSON
// refuses bigints, as JSON.stringify does), binary stays []byte (base64 on both sides).
func jsonable(v any) any {
	switch v := v.(type) {
	case lib0.Object:
		out := make(map[string]any, v.Len())
		v.Range(func(key string, value any) bool {
			out[key] = jsonable(value)
			return true
		})
		return out
	case *lib0.Object:
		if v == nil {
			return nil
		}
		return jsonable(*v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for key, value := range v {
			out[key] = jsonable(value)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, value := range v {
			out[i] = jsonable(value)
		}
		return out
	case lib0.BigInt:
		return float64(v)
	}
	return v
}

// stateDifferences lists every way got (Go) differs from want (Yjs); empty means equal.
func stateDifferences(got, want oracle.DocState) []string {
	var diffs []string
	for _, c := range []struct {
		what      string
		got, want []byte
	}{
		{"EncodeStateAsUpdate (v1)", got.StateV1, want.StateV1},
		{"EncodeStateAsUpdateV2", got.StateV2, want.StateV2},
		{"EncodeStateVector", got.StateVector, want.StateVector},
		{"Snapshot().Encode()", got.Snapshot, want.Snapshot},
	} {
		if d := bytesDifference(c.what, c.got, c.want); d != "" {
			diffs = append(diffs, d)
		}
	}
	if d := jsonDifference(got.JSON, want.JSON); d != "" {
		diffs = append(diffs, d)
	}
	if got.HasPending != want.HasPending {
		diffs = append(diffs, fmt.Sprintf("HasPending: Go %v, Yjs %v", got.HasPending, want.HasPending))
	}
	return diffs
}

// bytesDifference describes where got and want first differ, with a window of hex around it.
func bytesDifference(what string, got, want []byte) string {
	if bytes.Equal(got, want) {
		return ""
	}
	at := 0
	for at < len(got) && at < len(want) && got[at] == want[at] {
		at++
	}
	from := max(0, at-16)
	return fmt.Sprintf("%s differs at byte %d (Go %d bytes, Yjs %d bytes):\n  Go : …% x\n  Yjs: …% x",
		what, at, len(got), len(want), window(got, from), window(want, from))
}

func window(b []byte, from int) []byte {
	if from >= len(b) {
		return nil
	}
	return b[from:min(len(b), from+48)]
}

// jsonDifference compares two JSON texts semantically (key order and number spelling aside).
func jsonDifference(got, want []byte) string {
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		return fmt.Sprintf("Go JSON does not parse: %v: %.300s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		return fmt.Sprintf("Yjs JSON does not parse: %v: %.300s", err, want)
	}
	if reflect.DeepEqual(g, w) {
		return ""
	}
	return fmt.Sprintf("JSON differs:\n  Go : %s\n  Yjs: %s", truncate(string(got), 2000), truncate(string(want), 2000))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") }
