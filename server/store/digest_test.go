package store

import (
	"testing"

	"github.com/meridian-sync/meridian/replication/core"
)

func TestDigestIsStoredWithItsUpdateAndDeletedWithTheDocument(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Options{})
	if _, ok, err := s.Digest("doc"); ok || err != nil {
		t.Fatalf("digest of an unknown document: ok %v err %v", ok, err)
	}
	first, second := [32]byte{1}, [32]byte{2}
	if err := s.AppendWithDigest("doc", []byte("a"), first).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := s.Append("doc", []byte("b")).Wait(); err != nil { // no digest: the stored one stays
		t.Fatal(err)
	}
	if d, ok, err := s.Digest("doc"); !ok || err != nil || d != first {
		t.Fatalf("digest %x ok %v err %v, want %x", d, ok, err, first)
	}
	if err := s.AppendWithDigest("doc", []byte("c"), second).Wait(); err != nil {
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
	if err := s.Delete("doc"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Digest("doc"); ok {
		t.Fatal("a deleted document kept its digest")
	}
}

func TestReplicationRecordsLiveBesideTheDocuments(t *testing.T) {
	s := openStore(t, t.TempDir(), Options{})
	defer s.Close()
	rs := s.ReplicationStorage()
	if err := rs.Save([]core.Record{{Key: "seq", Value: []byte{7}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Append("doc", []byte("x")).Wait(); err != nil {
		t.Fatal(err)
	}
	recs, err := rs.Load()
	if err != nil || len(recs) != 1 || recs[0].Key != "seq" {
		t.Fatalf("records %+v err %v, want only seq", recs, err)
	}
	if page, _, err := s.List("", "", 10); err != nil || len(page) != 1 {
		t.Fatalf("replication records leaked into the document list: %+v %v", page, err)
	}
}
