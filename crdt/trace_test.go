package crdt

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// tracesDir finds ../shared/traces relative to the module root (the directory with go.mod).
func tracesDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "..", "shared", "traces")
			if _, err := os.Stat(p); err != nil {
				t.Skipf("traces not available: %v", err)
			}
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

type tracePatch struct {
	Pos, Del int
	Ins      string
}

type sequentialTrace struct {
	EndContent string
	Txns       [][]tracePatch
}

func readGzip(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadTrace(t testing.TB, name string) sequentialTrace {
	t.Helper()
	var raw struct {
		EndContent string `json:"endContent"`
		Txns       []struct {
			Patches [][3]json.RawMessage `json:"patches"`
		} `json:"txns"`
	}
	if err := json.Unmarshal(readGzip(t, filepath.Join(tracesDir(t), "sequential", name+".json.gz")), &raw); err != nil {
		t.Fatal(err)
	}
	tr := sequentialTrace{EndContent: raw.EndContent, Txns: make([][]tracePatch, len(raw.Txns))}
	for i, tx := range raw.Txns {
		for _, p := range tx.Patches {
			var tp tracePatch
			if json.Unmarshal(p[0], &tp.Pos) != nil || json.Unmarshal(p[1], &tp.Del) != nil || json.Unmarshal(p[2], &tp.Ins) != nil {
				t.Fatalf("bad patch in txn %d", i)
			}
			tr.Txns[i] = append(tr.Txns[i], tp)
		}
	}
	return tr
}

// loadFixtureUpdates reads <trace>.updates.v1.bin.gz: varUint N, then N length-prefixed updates.
func loadFixtureUpdates(t testing.TB, name string) [][]byte {
	t.Helper()
	dec := lib0.NewDecoder(readGzip(t, filepath.Join(tracesDir(t), "yjs-fixtures", name+".updates.v1.bin.gz")))
	n, err := dec.ReadVarUint()
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, 0, n)
	for range n {
		u, err := dec.ReadVarBytes()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, u)
	}
	return out
}

func readFixture(t testing.TB, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(tracesDir(t), "yjs-fixtures", file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replay applies the trace to a fresh document, one transaction per txn, as the fixtures did.
func replay(t testing.TB, tr sequentialTrace, d *Doc) {
	txt := d.GetText("text")
	for i, patches := range tr.Txns {
		d.Transact(func(*Transaction) {
			for _, p := range patches {
				if p.Del > 0 {
					if err := txt.Delete(p.Pos, p.Del); err != nil {
						t.Fatalf("txn %d: %v", i, err)
					}
				}
				if p.Ins != "" {
					if err := txt.Insert(p.Pos, p.Ins, nil); err != nil {
						t.Fatalf("txn %d: %v", i, err)
					}
				}
			}
		})
	}
}

const traceName = "automerge-paper"

func TestTraceReplayMatchesYjs(t *testing.T) {
	tr := loadTrace(t, traceName)
	want := loadFixtureUpdates(t, traceName)
	d := NewDoc(WithClientID(1))
	var got [][]byte
	d.OnUpdate(func(u []byte, _ any) { got = append(got, u) })
	replay(t, tr, d)
	if len(got) != len(want) {
		t.Fatalf("emitted %d updates, yjs emitted %d", len(got), len(want))
	}
	bad := 0
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			if bad < 3 {
				t.Errorf("update %d:\n got  % x\n want % x", i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d updates differ", bad, len(want))
	}
	if d.GetText("text").String() != tr.EndContent {
		t.Fatal("final text differs from endContent")
	}
	if !bytes.Equal(d.EncodeStateAsUpdate(nil), readFixture(t, traceName+".state.v1.bin")) {
		t.Error("state v1 differs from yjs")
	}
	if !bytes.Equal(d.EncodeStateAsUpdateV2(nil), readFixture(t, traceName+".state.v2.bin")) {
		t.Error("state v2 differs from yjs")
	}
}

func TestTraceApplyUpdatesMatchesYjs(t *testing.T) {
	ups := loadFixtureUpdates(t, traceName)
	d := NewDoc(WithClientID(2))
	for i, u := range ups {
		if err := d.ApplyUpdate(u); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	if !bytes.Equal(d.EncodeStateAsUpdate(nil), readFixture(t, traceName+".state.v1.bin")) {
		t.Error("state v1 after applying the updates differs from yjs")
	}
	l := NewDoc(WithClientID(3))
	must(t, l.ApplyUpdateV2(readFixture(t, traceName+".state.v2.bin")))
	if !bytes.Equal(l.EncodeStateAsUpdate(nil), readFixture(t, traceName+".state.v1.bin")) {
		t.Error("state v1 after loading the v2 state differs from yjs")
	}
}

func BenchmarkReplayTrace(b *testing.B) {
	tr := loadTrace(b, traceName)
	b.ResetTimer()
	for range b.N {
		replay(b, tr, NewDoc(WithClientID(1)))
	}
}

func BenchmarkApplyUpdates(b *testing.B) {
	ups := loadFixtureUpdates(b, traceName)
	b.ResetTimer()
	for range b.N {
		d := NewDoc(WithClientID(2))
		for _, u := range ups {
			if err := d.ApplyUpdate(u); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkEncodeState(b *testing.B) {
	d := NewDoc(WithClientID(2))
	must(b, d.ApplyUpdate(readFixture(b, traceName+".state.v1.bin")))
	b.ResetTimer()
	for range b.N {
		_ = d.EncodeStateAsUpdate(nil)
	}
}

func BenchmarkLoadState(b *testing.B) {
	state := readFixture(b, traceName+".state.v1.bin")
	b.ResetTimer()
	for range b.N {
		d := NewDoc(WithClientID(2))
		must(b, d.ApplyUpdate(state))
	}
}
