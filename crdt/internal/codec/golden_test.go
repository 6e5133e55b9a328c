package codec

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

func transcodeV1ToV2(t testing.TB, v1 []byte) []byte {
	t.Helper()
	enc := NewEncoderV2()
	if err := transcode(NewDecoderV1(v1), enc); err != nil {
		t.Fatalf("v1 -> v2: %v", err)
	}
	return enc.Bytes()
}

func transcodeV2ToV1(t testing.TB, v2 []byte) []byte {
	t.Helper()
	dec, err := NewDecoderV2(v2)
	if err != nil {
		t.Fatalf("NewDecoderV2: %v", err)
	}
	enc := NewEncoderV1()
	if err := transcode(dec, enc); err != nil {
		t.Fatalf("v2 -> v1: %v", err)
	}
	return enc.Bytes()
}

func firstDiff(a, b []byte) string {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return fmt.Sprintf("first difference at byte %d of %d/%d", i, len(a), len(b))
		}
	}
	return fmt.Sprintf("lengths %d vs %d", len(a), len(b))
}

// TestYjsFixturesConvertBetweenFormats: Yjs encoded each final document both as
// v1 and v2. Reading one with our decoder and writing the other with our
// encoder must give Yjs's bytes exactly, in both directions.
func TestYjsFixturesConvertBetweenFormats(t *testing.T) {
	names := []string{"automerge-paper", "clownschool_flat", "friendsforever_flat", "rustcode", "seph-blog1", "sveltecomponent"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			v1 := readTrace(t, filepath.Join("yjs-fixtures", name+".state.v1.bin"))
			v2 := readTrace(t, filepath.Join("yjs-fixtures", name+".state.v2.bin"))
			if got := transcodeV1ToV2(t, v1); !bytes.Equal(got, v2) {
				t.Errorf("v1 -> v2 differs from Yjs: %s", firstDiff(got, v2))
			}
			if got := transcodeV2ToV1(t, v2); !bytes.Equal(got, v1) {
				t.Errorf("v2 -> v1 differs from Yjs: %s", firstDiff(got, v1))
			}
		})
	}
}

// TestEgwalkerV2DocumentsRoundTrip: multi-client v2 documents written by Yjs
// survive v2 -> v1 -> v2 and v2 -> v2 unchanged.
func TestEgwalkerV2DocumentsRoundTrip(t *testing.T) {
	for _, name := range []string{"A1", "A2", "C1", "C2", "S1", "S2", "S3"} {
		t.Run(name, func(t *testing.T) {
			v2 := readTrace(t, filepath.Join("egwalker", name+".yjs"))
			dec, err := NewDecoderV2(v2)
			if err != nil {
				t.Fatal(err)
			}
			same := NewEncoderV2()
			if err := transcode(dec, same); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(same.Bytes(), v2) {
				t.Errorf("v2 -> v2 differs: %s", firstDiff(same.Bytes(), v2))
			}
			if back := transcodeV1ToV2(t, transcodeV2ToV1(t, v2)); !bytes.Equal(back, v2) {
				t.Errorf("v2 -> v1 -> v2 differs: %s", firstDiff(back, v2))
			}
		})
	}
}

// TestYrsDatasetRoundTrips: the yrs compatibility corpus holds v1 updates with
// maps, arrays, nested values and deletions. Each must survive v1 -> v2 -> v1
// and v1 -> v1 byte for byte. The expected map/array Any values that follow
// each test must decode and re-encode identically too.
func TestYrsDatasetRoundTrips(t *testing.T) {
	data := readTrace(t, filepath.Join("yrs", "small-test-dataset.bin"))
	d := lib0.NewDecoder(data)
	tests, err := d.ReadVarUint()
	if err != nil {
		t.Fatal(err)
	}
	updates := 0
	for i := uint64(0); i < tests; i++ {
		n, err := d.ReadVarUint()
		if err != nil {
			t.Fatalf("test %d: %v", i, err)
		}
		for u := uint64(0); u < n; u++ {
			v1, err := d.ReadVarBytes()
			if err != nil {
				t.Fatalf("test %d update %d: %v", i, u, err)
			}
			checkV1RoundTrips(t, v1, fmt.Sprintf("test %d update %d", i, u))
			updates++
		}
		if _, err := d.ReadVarString(); err != nil {
			t.Fatalf("test %d text: %v", i, err)
		}
		for _, what := range []string{"map", "array"} {
			start := d.Pos()
			v, err := d.ReadAny()
			if err != nil {
				t.Fatalf("test %d %s: %v", i, what, err)
			}
			var e lib0.Encoder
			e.WriteAny(v)
			if !bytes.Equal(e.Bytes(), data[start:d.Pos()]) {
				t.Fatalf("test %d %s: any value does not re-encode identically", i, what)
			}
		}
	}
	if d.Remaining() != 0 || updates == 0 {
		t.Fatalf("%d bytes left, %d updates checked", d.Remaining(), updates)
	}
	t.Logf("%d tests, %d updates", tests, updates)
}

func checkV1RoundTrips(t *testing.T, v1 []byte, label string) {
	t.Helper()
	same := NewEncoderV1()
	if err := transcode(NewDecoderV1(v1), same); err != nil {
		t.Fatalf("%s: v1 -> v1: %v", label, err)
	}
	if !bytes.Equal(same.Bytes(), v1) {
		t.Fatalf("%s: v1 -> v1 differs: %s", label, firstDiff(same.Bytes(), v1))
	}
	if back := transcodeV2ToV1(t, transcodeV1ToV2(t, v1)); !bytes.Equal(back, v1) {
		t.Fatalf("%s: v1 -> v2 -> v1 differs: %s", label, firstDiff(back, v1))
	}
}

func TestYrsB4UpdateRoundTrips(t *testing.T) {
	checkV1RoundTrips(t, readTrace(t, filepath.Join("yrs", "b4-update.bin")), "b4-update")
}
