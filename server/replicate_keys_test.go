package server

import (
	"testing"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/replication"
	"github.com/meridian-sync/meridian/server/store"
)

// TestStoreAndCoreNameThePushLogAlike: the store writes a replicated write's push entry and the numbering
// under the replication core's own record keys, so the core's trim (a delete of PushRecord's key) removes
// the entry, and a "seq" record it persists raises the store's numbering. Were the names to drift apart,
// acknowledged writes would come back as queued after every restart.
func TestStoreAndCoreNameThePushLogAlike(t *testing.T) {
	var got []store.Numbered
	st, err := store.Open(store.Options{Dir: t.TempDir(), Merge: crdt.MergeUpdates,
		OnNumbered: func(ws []store.Numbered) { got = append(got, ws...) }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	records := replicationRecords{st: st}
	for range 2 {
		if err := st.AppendWithState("doc", []byte{0, 0}, store.DocState{Replicate: true}).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	first := replication.PushRecord(replication.DurableWrite{Doc: "doc", Seq: got[0].Seq})
	if err := records.Save([]replication.Record{{Key: first.Key}, replication.SeqRecord(10)}); err != nil {
		t.Fatal(err)
	}
	loaded, err := records.Load()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range loaded {
		keys = append(keys, r.Key)
	}
	second := replication.PushRecord(replication.DurableWrite{Doc: "doc", Seq: got[1].Seq})
	if len(loaded) != 2 || loaded[0].Key != "seq" || loaded[1].Key != second.Key {
		t.Fatalf("after trimming write %d: records %q, want seq and %q only", got[0].Seq, keys, second.Key)
	}
	if err := st.AppendWithState("doc", []byte{0, 0}, store.DocState{Replicate: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	if last := got[len(got)-1].Seq; last != 11 {
		t.Fatalf("after the core persisted seq 10 the store numbered %d, want 11", last)
	}
}
