package durable

import (
	"reflect"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

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

func TestPebbleKeepsToItsPrefixAndSurvivesReopen(t *testing.T) {
	fs := vfs.NewMem()
	db, err := pebble.Open("db", &pebble.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Set([]byte("docs/x"), []byte("not ours"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Set([]byte("repl0"), []byte("just past the prefix"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	exercise(t, NewPebble(db, []byte("repl/")))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = pebble.Open("db", &pebble.Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := NewPebble(db, []byte("repl/")).Load()
	if err != nil || len(got) != 3 {
		t.Fatalf("after reopen: %d records, err %v; want 3", len(got), err)
	}
}

func TestPrefixEnd(t *testing.T) {
	if got := prefixEnd([]byte("a\xff")); string(got) != "b" {
		t.Fatalf("prefixEnd(a\\xff) = %q", got)
	}
	if prefixEnd([]byte{0xff}) != nil {
		t.Fatal("an all-0xff prefix has no upper bound")
	}
}
