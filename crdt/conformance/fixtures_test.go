package conformance

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/meridian-sync/meridian/crdt"
)

// fixtureManifest is yjs-fixtures/manifest.json (the fields the tests use).
type fixtureManifest struct {
	ClientID uint64 `json:"clientID"`
	Files    map[string]struct {
		Txns           int    `json:"txns"`
		Updates        int    `json:"updates"`
		StateVectorHex string `json:"state_vector_hex"`
		FinalTextLen   int    `json:"final_text_len_utf16"`
	} `json:"files"`
}

// TestYjsFixtures replays each sequential trace with client id 1, one transaction per txn, and
// requires the exact per-transaction updates and final states real Yjs produced.
func TestYjsFixtures(t *testing.T) {
	dir := filepath.Join(tracesDir(t), "yjs-fixtures")
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatalf("reading the fixture manifest: %v", err)
	}
	var manifest fixtureManifest
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	if len(manifest.Files) == 0 {
		t.Fatal("manifest.json lists no fixtures")
	}
	names := make([]string, 0, len(manifest.Files))
	for name := range manifest.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			entry := manifest.Files[name]
			tr, err := readSequentialTrace(filepath.Join(tracesDir(t), "sequential", name+".json.gz"))
			if err != nil {
				t.Fatal(err)
			}
			stream, err := readGzip(filepath.Join(dir, name+".updates.v1.bin.gz"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := decodeUpdateStream(stream)
			if err != nil {
				t.Fatalf("%s.updates.v1.bin.gz: %v", name, err)
			}
			if len(want) != entry.Updates || len(tr.Txns) != entry.Txns {
				t.Fatalf("fixture has %d updates and the trace %d txns; the manifest says %d and %d", len(want), len(tr.Txns), entry.Updates, entry.Txns)
			}
			doc := replayFixture(t, tr, manifest.ClientID, want)
			checkFixtureState(t, dir, name, doc, tr.EndContent, entry.StateVectorHex)
		})
	}
}

// replayFixture replays tr and fails at the first emitted update that differs from want.
func replayFixture(t *testing.T, tr *sequentialTrace, clientID uint64, want [][]byte) *crdt.Doc {
	t.Helper()
	doc := crdt.NewDoc(crdt.WithClientID(clientID))
	text := doc.GetText("text")
	var emitted [][]byte
	doc.OnUpdate(func(u []byte, _ any) { emitted = append(emitted, bytes.Clone(u)) })
	for i, txn := range tr.Txns {
		var editErr error
		doc.Transact(func(*crdt.Transaction) {
			for _, p := range txn.Patches {
				if editErr = applyPatch(text, p); editErr != nil {
					return
				}
			}
		})
		if editErr != nil {
			t.Fatalf("txn %d: %v", i, editErr)
		}
		if len(emitted) != i+1 {
			t.Fatalf("txn %d emitted %d updates so far; want one per txn (%d)", i, len(emitted), i+1)
		}
		if d := bytesDifference(fmt.Sprintf("update of txn %d", i), emitted[i], want[i]); d != "" {
			t.Fatal(d)
		}
	}
	return doc
}

func applyPatch(text *crdt.Text, p tracePatch) error {
	if p.Delete > 0 {
		if err := text.Delete(p.Pos, p.Delete); err != nil {
			return fmt.Errorf("delete %d at %d: %w", p.Delete, p.Pos, err)
		}
	}
	if p.Insert != "" {
		if err := text.Insert(p.Pos, p.Insert, nil); err != nil {
			return fmt.Errorf("insert %q at %d: %w", p.Insert, p.Pos, err)
		}
	}
	return nil
}

// checkFixtureState compares the final document with the golden states, and loads each golden state.
func checkFixtureState(t *testing.T, dir, name string, doc *crdt.Doc, endContent, svHex string) {
	t.Helper()
	if got := doc.GetText("text").String(); got != endContent {
		t.Errorf("final text differs from endContent (%d vs %d bytes)", len(got), len(endContent))
	}
	if got := hex.EncodeToString(doc.EncodeStateVector()); got != svHex {
		t.Errorf("state vector %s; want %s", got, svHex)
	}
	for _, v := range []struct {
		file   string
		encode func() []byte
		load   func(*crdt.Doc, []byte) error
	}{
		{name + ".state.v1.bin", func() []byte { return doc.EncodeStateAsUpdate(nil) }, (*crdt.Doc).ApplyUpdate},
		{name + ".state.v2.bin", func() []byte { return doc.EncodeStateAsUpdateV2(nil) }, (*crdt.Doc).ApplyUpdateV2},
	} {
		want, err := os.ReadFile(filepath.Join(dir, v.file))
		if err != nil {
			t.Fatal(err)
		}
		if d := bytesDifference(v.file, v.encode(), want); d != "" {
			t.Error(d)
		}
		loaded := crdt.NewDoc()
		text := loaded.GetText("text")
		if err := v.load(loaded, want); err != nil {
			t.Errorf("loading %s: %v", v.file, err)
		} else if text.String() != endContent {
			t.Errorf("loading %s gives a text that differs from endContent", v.file)
		}
	}
}
