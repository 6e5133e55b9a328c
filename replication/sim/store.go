package sim

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication/core"
)

// store is a node's document store: it models the durable Pebble store of the real server (it
// survives crashes, since every apply is durable before the core hears of it).
type store struct {
	clientID uint64
	docs     map[string]*crdt.Doc
}

var _ core.DocReader = (*store)(nil)

func newStore(clientID uint64) *store {
	return &store{clientID: clientID, docs: map[string]*crdt.Doc{}}
}

func (s *store) doc(id string) *crdt.Doc {
	d, ok := s.docs[id]
	if !ok {
		d = crdt.NewDoc(crdt.WithClientID(s.clientID))
		s.docs[id] = d
	}
	return d
}

func (s *store) Digest(id string) ([32]byte, bool, error) {
	d, ok := s.docs[id]
	if !ok {
		return [32]byte{}, false, nil
	}
	return d.Snapshot().Digest(), true, nil
}

func (s *store) StateVector(id string) ([]byte, error) {
	if d, ok := s.docs[id]; ok {
		return d.EncodeStateVector(), nil
	}
	return crdt.NewDoc(crdt.WithClientID(1)).EncodeStateVector(), nil
}

func (s *store) Diff(id string, sv []byte) ([]byte, error) {
	vec, err := crdt.DecodeStateVector(sv)
	if err != nil {
		return nil, err
	}
	d, ok := s.docs[id]
	if !ok {
		return nil, fmt.Errorf("no document %q", id)
	}
	return d.EncodeStateAsUpdate(vec), nil
}

func (s *store) Docs(fn func(string, [32]byte) bool) error {
	for _, id := range s.ids() {
		if !fn(id, s.docs[id].Snapshot().Digest()) {
			break
		}
	}
	return nil
}

func (s *store) ids() []string {
	ids := make([]string, 0, len(s.docs))
	for id := range s.docs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// applied reports the digests of the documents rd's updates went to, as the driver gives them to
// Advance.
func (s *store) applied(rd core.Ready) []core.Applied {
	var out []core.Applied
	for _, u := range rd.Apply {
		d, ok, _ := s.Digest(u.Doc)
		out = append(out, core.Applied{Doc: u.Doc, Digest: d, Held: ok})
	}
	return out
}

func (s *store) apply(id string, update []byte) error { return s.doc(id).ApplyUpdate(update) }

func (s *store) remove(id string) { delete(s.docs, id) }

// jsonOf is the document's JSON in canonical form (encoding/json sorts map keys). The workload's roots
// are defined first: a Doc's JSON lists only the roots someone asked for by name, so a replica that
// never touched "text" would otherwise differ from one that did in a root that is empty anyway.
func jsonOf(d *crdt.Doc) string {
	d.GetText("text")
	d.GetMap("set")
	b, err := json.Marshal(d.ToJSON())
	if err != nil {
		return "unmarshalable: " + err.Error()
	}
	return string(b)
}
