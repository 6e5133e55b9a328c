package oracle

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Vectors from yjs-protocol.md §8.
var (
	// TV1: "hello" typed into text "t" by client 1.
	tv1Update      = mustHex("01 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00")
	tv1UpdateV2    = mustHex("00 00 01 01 00 00 01 04 09 06 74 68 65 6c 6c 6f 01 05 01 01 00 00 01 01 00 00")
	tv1StateVector = mustHex("01 01 05")
	// TV2: insert "hello", delete 1..3, insert "!" at 2, and the final full state (GC on).
	tv2Updates = [][]byte{
		mustHex("01 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00"),
		mustHex("00 01 01 01 01 03"),
		mustHex("01 01 01 05 84 01 04 01 21 00"),
	}
	tv2State = mustHex("01 03 01 00 04 01 01 74 01 68 81 01 00 03 84 01 03 02 6f 21 01 01 01 01 03")
	// TV6: u holds client 300's " world" after client 1's "hello".
	tv6Update    = mustHex("02 01 ac 02 00 84 01 04 06 20 77 6f 72 6c 64 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00")
	tv6SV        = mustHex("02 ac 02 06 01 05")
	tv6DiffAfter = mustHex("01 01 ac 02 00 84 01 04 06 20 77 6f 72 6c 64 00") // diff against {1:5}
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func TestApplyReportsTheDocumentOfTV1(t *testing.T) {
	o := Start(t)
	state, err := o.Apply(ApplyRequest{Updates: [][]byte{tv1Update}, GC: true, Roots: map[string]string{"t": "text"}})
	if err != nil {
		t.Fatal(err)
	}
	assertBytes(t, "state v1", state.StateV1, tv1Update)
	assertBytes(t, "state v2", state.StateV2, tv1UpdateV2)
	assertBytes(t, "state vector", state.StateVector, tv1StateVector)
	// An empty delete set (00) followed by the state vector.
	assertBytes(t, "snapshot", state.Snapshot, append([]byte{0}, tv1StateVector...))
	assertJSON(t, state.JSON, `{"t":"hello"}`)
	if state.HasPending {
		t.Error("HasPending = true for a complete update")
	}
}

func TestApplyAcceptsV2AndEachRootKind(t *testing.T) {
	o := Start(t)
	roots := map[string]string{"t": "text", "a": "array", "m": "map", "x": "xml"}
	state, err := o.Apply(ApplyRequest{Updates: [][]byte{tv1UpdateV2}, V2: true, Roots: roots})
	if err != nil {
		t.Fatal(err)
	}
	assertBytes(t, "state v1", state.StateV1, tv1Update)
	assertJSON(t, state.JSON, `{"t":"hello","a":[],"m":{},"x":""}`)
}

func TestApplyReportsPendingStructs(t *testing.T) {
	o := Start(t)
	// The third update of TV2 depends on clock 0..4 of client 1, which never arrives.
	state, err := o.Apply(ApplyRequest{Updates: tv2Updates[2:], GC: true, Roots: map[string]string{"t": "text"}})
	if err != nil {
		t.Fatal(err)
	}
	if !state.HasPending {
		t.Error("HasPending = false with a missing dependency")
	}
	assertJSON(t, state.JSON, `{"t":""}`)
}

func TestMergeUpdatesOfTV2GivesTheSameTextAsApplying(t *testing.T) {
	o := Start(t)
	merged, err := o.MergeUpdates(tv2Updates, false)
	if err != nil {
		t.Fatal(err)
	}
	roots := map[string]string{"t": "text"}
	fromMerged, err := o.Apply(ApplyRequest{Updates: [][]byte{merged}, GC: true, Roots: roots})
	if err != nil {
		t.Fatal(err)
	}
	fromSteps, err := o.Apply(ApplyRequest{Updates: tv2Updates, GC: true, Roots: roots})
	if err != nil {
		t.Fatal(err)
	}
	assertBytes(t, "state from the steps", fromSteps.StateV1, tv2State)
	assertJSON(t, fromMerged.JSON, `{"t":"ho!"}`)
	assertJSON(t, fromSteps.JSON, `{"t":"ho!"}`)
}

func TestUpdateLevelOperationsMatchTV1AndTV6(t *testing.T) {
	o := Start(t)
	sv, err := o.StateVectorFromUpdate(tv6Update, false)
	if err != nil {
		t.Fatal(err)
	}
	assertBytes(t, "state vector from update", sv, tv6SV)
	diff, err := o.DiffUpdate(tv6Update, tv1StateVector, false)
	if err != nil {
		t.Fatal(err)
	}
	assertBytes(t, "diff", diff, tv6DiffAfter)
	v2, err := o.Convert(tv1Update, true)
	if err != nil {
		t.Fatal(err)
	}
	assertBytes(t, "v1 to v2", v2, tv1UpdateV2)
	v1, err := o.Convert(tv1UpdateV2, false)
	if err != nil {
		t.Fatal(err)
	}
	assertBytes(t, "v2 to v1", v1, tv1Update)
}

func TestYjsErrorsAreAnswersAndTheOracleStaysUsable(t *testing.T) {
	o := Start(t)
	truncated := tv1Update[:len(tv1Update)-3]
	_, err := o.Apply(ApplyRequest{Updates: [][]byte{truncated}, Roots: map[string]string{"t": "text"}})
	var yerr *YjsError
	if !errors.As(err, &yerr) || yerr.Op != "apply" || yerr.Message == "" {
		t.Fatalf("Apply(truncated) error = %v; want a *YjsError from apply", err)
	}
	if _, err := o.MergeUpdates([][]byte{{0xff}, {0xff}}, false); !errors.As(err, &yerr) {
		t.Fatalf("MergeUpdates(garbage) error = %v; want a *YjsError", err)
	}
	merged, err := o.MergeUpdates([][]byte{tv1Update}, false)
	if err != nil {
		t.Fatalf("after errors: %v", err)
	}
	assertBytes(t, "merge of one update", merged, tv1Update)
}

func TestApplyRejectsAnUnknownRootKindBeforeAskingNode(t *testing.T) {
	o := Start(t)
	if _, err := o.Apply(ApplyRequest{Roots: map[string]string{"t": "string"}}); err == nil {
		t.Fatal("Apply accepted root kind \"string\"")
	}
}

func assertBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n got % x\nwant % x", what, got, want)
	}
}

func assertJSON(t *testing.T, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("JSON %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %q: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON = %s; want %s", got, want)
	}
}

func TestSessionIsDeterministicAndEveryReplicaIntegratesEverything(t *testing.T) {
	o := Start(t)
	opts := SessionOptions{Seed: 7, Clients: 4, Steps: 60, GC: true}
	s, err := o.Session(opts)
	if err != nil {
		t.Fatal(err)
	}
	again, err := o.Session(opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s, again) {
		t.Fatal("the same seed produced two different sessions")
	}
	if len(s.Replicas) != opts.Clients || len(s.Updates) == 0 {
		t.Fatalf("%d replicas and %d updates; want %d replicas and some updates", len(s.Replicas), len(s.Updates), opts.Clients)
	}
	ids := map[uint64]bool{}
	for _, r := range s.Replicas {
		ids[r.ClientID] = true
	}
	for i, origin := range s.Origins {
		if !ids[origin] {
			t.Errorf("update %d comes from client %d, which is no replica", i, origin)
		}
	}
	for _, r := range s.Replicas {
		seen := map[int]bool{}
		for _, i := range r.Applied {
			seen[i] = true
		}
		if len(seen) != len(s.Updates) {
			t.Errorf("replica %d integrated %d of %d updates", r.ClientID, len(seen), len(s.Updates))
		}
		assertBytes(t, "final state vector", r.Final.StateVector, s.Replicas[0].Final.StateVector)
		if r.Final.HasPending {
			t.Errorf("replica %d still has pending structs after the final flush", r.ClientID)
		}
	}
}

func TestReplayingAReplicaInYjsReproducesItsFinalState(t *testing.T) {
	o := Start(t)
	for _, gc := range []bool{true, false} {
		s, err := o.Session(SessionOptions{Seed: 11, Clients: 3, Steps: 60, GC: gc})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range s.Replicas {
			var updates [][]byte
			for _, i := range r.Applied {
				updates = append(updates, s.Updates[i])
			}
			got, err := o.Apply(ApplyRequest{Updates: updates, GC: gc, Roots: s.Roots})
			if err != nil {
				t.Fatal(err)
			}
			assertBytes(t, "replayed state v1", got.StateV1, r.Final.StateV1)
			assertBytes(t, "replayed snapshot", got.Snapshot, r.Final.Snapshot)
		}
	}
}

func TestSessionRejectsBadOptions(t *testing.T) {
	o := Start(t)
	for _, opts := range []SessionOptions{
		{Seed: 1, Clients: 1, Steps: 5},
		{Seed: 1, Clients: 7, Steps: 5},
		{Seed: 1, Clients: 2, Steps: 0},
		{Seed: 1 << 60, Clients: 2, Steps: 5},
	} {
		if _, err := o.Session(opts); err == nil {
			t.Errorf("Session(%+v) succeeded", opts)
		}
	}
}
