package client

import (
	"os"
	"slices"
	"testing"
)

func TestOfflineFileKeepsUpdatesAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	f, got, err := openOffline(dir, "team/notes")
	if err != nil || len(got) != 0 {
		t.Fatalf("fresh file: %v %v", got, err)
	}
	for _, u := range []string{"one", "two", "three"} {
		if err := f.append([]byte(u)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.rewrite([][]byte{[]byte("three")}); err != nil { // "one" and "two" were acknowledged
		t.Fatal(err)
	}
	if err := f.append([]byte("four")); err != nil {
		t.Fatal(err)
	}
	f.close()
	// A crash mid-append leaves a torn record: it is dropped, the rest survives.
	path := offlinePath(dir, "team/notes")
	data, _ := os.ReadFile(path)
	torn := appendRecord(nil, []byte("five"))
	if err := os.WriteFile(path, append(data, torn[:len(torn)-2]...), 0o600); err != nil {
		t.Fatal(err)
	}
	f, got, err = openOffline(dir, "team/notes")
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	if !slices.EqualFunc(got, []string{"three", "four"}, func(b []byte, s string) bool { return string(b) == s }) {
		t.Fatalf("restored %q", got)
	}
	if err := f.append([]byte("six")); err != nil { // appends start on a record boundary again
		t.Fatal(err)
	}
	if again, _ := readRecords(path); len(again) != 3 {
		t.Fatalf("after the torn tail, %d records", len(again))
	}
}

func FuzzDecodeRecords(f *testing.F) {
	f.Add(appendRecord(appendRecord(nil, []byte("a")), []byte("bc")))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var again []byte
		for _, r := range decodeRecords(data) {
			again = appendRecord(again, r)
		}
		if len(again) > len(data) || string(again) != string(data[:len(again)]) {
			t.Fatal("decoded records are not a prefix of the input")
		}
	})
}
