package store

import (
	"testing"
)

func TestDigestIsStoredWithItsUpdateAndDeletedWithTheDocument(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	if _, ok, err := s.Digest("doc"); ok || err != nil {
		t.Fatalf("digest of an unknown document: ok %v err %v", ok, err)
	}
	first, second := [32]byte{1}, [32]byte{2}
	if err := s.AppendWithState("doc", []byte("a"), DocState{Digest: first, StateVector: []byte{1}}).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := s.Append("doc", []byte("b")).Wait(); err != nil { // no state: the stored one stays
		t.Fatal(err)
	}
	if d, ok, err := s.Digest("doc"); !ok || err != nil || d != first {
		t.Fatalf("digest %x ok %v err %v, want %x", d, ok, err, first)
	}
	if err := s.AppendWithState("doc", []byte("c"), DocState{Digest: second, StateVector: []byte{2}}).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, Options{})
	defer s.Close()
	if d, ok, _ := s.Digest("doc"); !ok || d != second {
		t.Fatalf("after reopen: digest %x ok %v, want %x", d, ok, second)
	}
	if sv, ok, _ := s.StateVector("doc"); !ok || string(sv) != "\x02" {
		t.Fatalf("after reopen: state vector %x ok %v, want 02", sv, ok)
	}
	if err := s.Delete("doc"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Digest("doc"); ok {
		t.Fatal("a deleted document kept its digest")
	}
	if _, ok, _ := s.StateVector("doc"); ok {
		t.Fatal("a deleted document kept its state vector")
	}
}

func TestReplicationRecordsLiveBesideTheDocuments(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	defer s.Close()
	if err := s.SaveReplicationRecords([]Record{{Key: "peer/x", Value: []byte{7, 1}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Append("doc", []byte("x")).Wait(); err != nil {
		t.Fatal(err)
	}
	recs, pushes, err := s.ReplicationRecords()
	if err != nil || len(recs) != 1 || recs[0].Key != "peer/x" || len(pushes) != 0 {
		t.Fatalf("records %+v pushes %+v err %v, want only peer/x", recs, pushes, err)
	}
	if page, _, err := s.List("", "", 10); err != nil || len(page) != 1 {
		t.Fatalf("replication records leaked into the document list: %+v %v", page, err)
	}
}
