package store

import (
	"bytes"
	"fmt"
	"testing"
)

// TestLoadManyReadsWhatLoadReads: documents with logs, a compacted one, a deleted one and a missing one,
// read in one pass, come back exactly as Load reads them one by one, with their stored state vectors.
func TestLoadManyReadsWhatLoadReads(t *testing.T) {
	concat := func(us [][]byte) ([]byte, error) { return bytes.Join(us, nil), nil }
	s := openStore(t, t.TempDir(), Options{Merge: concat})
	defer s.Close()
	ids := []string{"a", "a/b", "b", "c", "d", "e"}
	for i, id := range ids {
		for k := range i + 1 {
			st := DocState{StateVector: []byte{byte(i), byte(k)}}
			if err := s.AppendWithState(id, []byte(fmt.Sprint(id, k)), st).Wait(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Compact("b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("c"); err != nil {
		t.Fatal(err)
	}
	ask := append(ids, "missing")
	seen := 0
	err := s.LoadMany(ask, func(i int, got Document, sv []byte, err error) {
		seen++
		want, wantErr := s.Load(ask[i])
		if (err == nil) != (wantErr == nil) || got.Exists != want.Exists || !bytes.Equal(got.Snapshot, want.Snapshot) ||
			len(got.Updates) != len(want.Updates) || got.Info != want.Info {
			t.Errorf("%s: LoadMany %+v %v, Load %+v %v", ask[i], got, err, want, wantErr)
			return
		}
		for k := range got.Updates {
			if !bytes.Equal(got.Updates[k], want.Updates[k]) {
				t.Errorf("%s: update %d differs", ask[i], k)
			}
		}
		if wantSV, _, _ := s.StateVector(ask[i]); !bytes.Equal(sv, wantSV) {
			t.Errorf("%s: state vector %x, want %x", ask[i], sv, wantSV)
		}
	})
	if err != nil || seen != len(ask) {
		t.Fatalf("LoadMany: %d of %d documents, err %v", seen, len(ask), err)
	}
}
