package main

import (
	"errors"
	"fmt"

	"github.com/meridian-sync/meridian/crdt"
)

// tokensRoot is the Array every writer appends its tokens to.
const tokensRoot = "tokens"

// docState is what one node holds of one document, as the verdict compares it.
type docState struct {
	Tokens  []string // the "tokens" array, in document order
	Digest  [32]byte // snapshot digest: state vector and delete set
	Pending bool     // structs or deletes waiting for something the node lacks
}

// errNotAToken marks a value in the tokens array that is not a string: only the checker writes there.
var errNotAToken = errors.New("tokens array holds a non-string value")

// decodeState rebuilds a document from a node's full-state update (GET /v1/docs/{id}/update). Bad bytes
// give an error, never a panic: the node may be broken, that is what the test is for.
func decodeState(update []byte) (docState, error) {
	doc := crdt.NewDoc(crdt.WithClientID(1))
	if err := doc.ApplyUpdate(update); err != nil {
		return docState{}, fmt.Errorf("decoding the document: %w", err)
	}
	st := docState{Digest: doc.Snapshot().Digest(), Pending: doc.HasPending()}
	if kind := doc.RootKind(tokensRoot); kind != "" && kind != "array" {
		// A root is typed by its first use; reading it as an Array would panic or mislead.
		return st, fmt.Errorf("root %q is a %s, not an array", tokensRoot, kind)
	}
	for _, v := range doc.GetArray(tokensRoot).ToSlice() {
		s, ok := v.(string)
		if !ok {
			return st, fmt.Errorf("%w: %T", errNotAToken, v)
		}
		st.Tokens = append(st.Tokens, s)
	}
	return st, nil
}
