package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// yrsCase is one test of yrs's small-test-dataset.bin: updates to apply, and the expected roots.
type yrsCase struct {
	Updates [][]byte
	Text    string
	Map     any // lib0 Any, as decoded
	Array   any
}

// decodeYrsDataset reads the dataset: varUint count; per test varUint n, n varUint8Array updates, the
// text as varString, then the map and the array as lib0 Any.
func decodeYrsDataset(b []byte) ([]yrsCase, error) {
	d := lib0.NewDecoder(b)
	count, err := d.ReadVarUint()
	if err != nil {
		return nil, fmt.Errorf("test count: %w", err)
	}
	if count > uint64(d.Remaining()) {
		return nil, fmt.Errorf("test count %d exceeds what %d bytes can hold", count, d.Remaining())
	}
	cases := make([]yrsCase, 0, count)
	for i := range count {
		c, err := decodeYrsCase(d)
		if err != nil {
			return nil, fmt.Errorf("test %d: %w", i, err)
		}
		cases = append(cases, c)
	}
	if d.Remaining() != 0 {
		return nil, errTrailingBytes
	}
	return cases, nil
}

func decodeYrsCase(d *lib0.Decoder) (c yrsCase, err error) {
	n, err := d.ReadVarUint()
	if err != nil {
		return c, fmt.Errorf("update count: %w", err)
	}
	if n > uint64(d.Remaining()) {
		return c, fmt.Errorf("update count %d exceeds what %d bytes can hold", n, d.Remaining())
	}
	for j := range n {
		u, err := d.ReadVarBytes()
		if err != nil {
			return c, fmt.Errorf("update %d: %w", j, err)
		}
		c.Updates = append(c.Updates, bytes.Clone(u))
	}
	if c.Text, err = d.ReadVarString(); err != nil {
		return c, fmt.Errorf("expected text: %w", err)
	}
	if c.Map, err = d.ReadAny(); err != nil {
		return c, fmt.Errorf("expected map: %w", err)
	}
	if c.Array, err = d.ReadAny(); err != nil {
		return c, fmt.Errorf("expected array: %w", err)
	}
	return c, nil
}

// TestYrsSmallDataset applies every test of yrs's compatibility corpus and compares the roots.
func TestYrsSmallDataset(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(tracesDir(t), "yrs", "small-test-dataset.bin"))
	if err != nil {
		t.Fatal(err)
	}
	cases, err := decodeYrsDataset(raw)
	if err != nil {
		t.Fatalf("small-test-dataset.bin: %v", err)
	}
	if len(cases) == 0 {
		t.Fatal("the dataset holds no tests")
	}
	failing := 0
	for i, c := range cases {
		if problem := yrsCaseProblem(c); problem != "" {
			failing++
			t.Errorf("test %d of %d (%d updates): %s", i, len(cases), len(c.Updates), problem)
			if failing == maxFailingSeeds {
				t.Fatalf("stopping after %d failing tests", failing)
			}
		}
	}
}

func yrsCaseProblem(c yrsCase) (problem string) {
	defer func() {
		if p := recover(); p != nil {
			problem = fmt.Sprintf("the Go engine panicked: %v", p)
		}
	}()
	doc := crdt.NewDoc()
	text, m, arr := doc.GetText("text"), doc.GetMap("map"), doc.GetArray("array")
	for j, u := range c.Updates {
		if err := doc.ApplyUpdate(u); err != nil {
			return fmt.Sprintf("ApplyUpdate %d: %v", j, err)
		}
	}
	if got := text.String(); got != c.Text {
		return fmt.Sprintf("text %q; want %q", truncate(got, 300), truncate(c.Text, 300))
	}
	if d := anyDifference("map", m.ToJSON(), c.Map); d != "" {
		return d
	}
	return anyDifference("array", arr.ToJSON(), c.Array)
}

// anyDifference compares a Go root's JSON with an expected lib0 Any through their JSON encodings.
func anyDifference(what string, got, want any) string {
	g, err := json.Marshal(jsonable(got))
	if err != nil {
		return fmt.Sprintf("%s: marshalling the Go value: %v", what, err)
	}
	w, err := json.Marshal(jsonable(want))
	if err != nil {
		return fmt.Sprintf("%s: marshalling the expected value: %v", what, err)
	}
	if d := jsonDifference(g, w); d != "" {
		return what + ": " + d
	}
	return ""
}
