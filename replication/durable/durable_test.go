package durable

import (
	"reflect"
	"testing"

	"github.com/meridian-sync/meridian/replication/core"
)

func exercise(t *testing.T, st Storage) {
	t.Helper()
	if err := st.Save([]core.Record{{Key: "seq", Value: []byte{3}}, {Key: "log/1", Value: []byte{1}},
		{Key: "tomb/d", Value: []byte{}}, {Key: "log/2", Value: []byte{2}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Save([]core.Record{{Key: "log/1", Value: nil}, {Key: "seq", Value: []byte{4}}}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := []core.Record{{Key: "log/2", Value: []byte{2}}, {Key: "seq", Value: []byte{4}}, {Key: "tomb/d", Value: []byte{}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded %+v, want %+v", got, want)
	}
}

func TestMemory(t *testing.T) { exercise(t, NewMemory()) }
