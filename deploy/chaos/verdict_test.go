package main

import (
	"errors"
	"strings"
	"testing"
)

var oneGroup = [][]string{{"eu-1", "us-1"}}

func bothHold(st docState) observations {
	return observations{"d": {"eu-1": {State: st}, "us-1": {State: st}}}
}

func TestJudgePassesWhenEveryNodeHoldsEveryAcknowledgedToken(t *testing.T) {
	recs := []writeRecord{
		{Service: "eu-1", Doc: "d", Tokens: []string{"a", "b", "c"}, Acked: 2},
		{Service: "us-1", Doc: "d", Tokens: []string{"x"}, Acked: 1},
	}
	v := judge(oneGroup, []string{"d"}, recs, bothHold(stateOf(t, "a", "x", "b", "c")))
	if !v.ok() || v.Attempted != 4 || v.Acknowledged != 3 || v.Indeterminate != 1 || v.Recovered != 1 {
		t.Fatalf("verdict %+v", v)
	}
	// The unacknowledged "c" may also be absent everywhere: indeterminate, not lost.
	v = judge(oneGroup, []string{"d"}, recs, bothHold(stateOf(t, "a", "x", "b")))
	if !v.ok() || v.Recovered != 0 {
		t.Fatalf("an unacknowledged token may vanish: %+v", v)
	}
}

func TestJudgeCountsALostAcknowledgedToken(t *testing.T) {
	recs := []writeRecord{{Service: "eu-1", Doc: "d", Tokens: []string{"a", "b"}, Acked: 2}}
	full, partial := stateOf(t, "a", "b"), stateOf(t, "a")
	obs := observations{"d": {"eu-1": {State: full}, "us-1": {State: partial}}}
	v := judge(oneGroup, []string{"d"}, recs, obs)
	if v.ok() || v.Lost != 1 || v.Converged {
		t.Fatalf("b is missing on us-1 and the nodes differ: %+v", v)
	}
	if !strings.Contains(strings.Join(v.Problems, "\n"), "b missing on us-1") {
		t.Errorf("problems do not name the lost token: %v", v.Problems)
	}
	// Missing on every node: converged, but lost.
	v = judge(oneGroup, []string{"d"}, recs, bothHold(partial))
	if !v.Converged || v.Lost != 1 || v.ok() {
		t.Fatalf("converged on a state without b: %+v", v)
	}
}

func TestJudgeCountsUnexpectedAndDuplicatedTokens(t *testing.T) {
	recs := []writeRecord{{Service: "eu-1", Doc: "d", Tokens: []string{"a"}, Acked: 1}}
	v := judge(oneGroup, []string{"d"}, recs, bothHold(stateOf(t, "a", "ghost")))
	if v.Unexpected != 2 || v.ok() { // once per node
		t.Fatalf("ghost was never written: %+v", v)
	}
	v = judge(oneGroup, []string{"d"}, recs, bothHold(stateOf(t, "a", "a")))
	if v.Unexpected != 2 || v.ok() {
		t.Fatalf("a twice on each node: %+v", v)
	}
}

func TestJudgeNeedsEqualDigestsAndNothingPending(t *testing.T) {
	recs := []writeRecord{{Service: "eu-1", Doc: "d", Tokens: []string{"a"}, Acked: 1}}
	st := stateOf(t, "a")
	other := st
	other.Digest[0] ^= 1 // same tokens, different snapshot (e.g. a delete set only one node has)
	v := judge(oneGroup, []string{"d"}, recs, observations{"d": {"eu-1": {State: st}, "us-1": {State: other}}})
	if v.Converged {
		t.Fatal("different digests must not count as converged")
	}
	pending := st
	pending.Pending = true
	v = judge(oneGroup, []string{"d"}, recs, bothHold(pending))
	if v.Converged {
		t.Fatal("pending updates must not count as converged")
	}
}

func TestJudgeTreatsAnUnreadableNodeAsHoldingNothing(t *testing.T) {
	recs := []writeRecord{{Service: "us-1", Doc: "d", Tokens: []string{"a"}, Acked: 1}}
	obs := observations{"d": {"eu-1": {State: stateOf(t, "a")}, "us-1": {Err: errors.New("connection refused")}}}
	v := judge(oneGroup, []string{"d"}, recs, obs)
	if v.Converged || v.Lost != 1 {
		t.Fatalf("%+v", v)
	}
	v = judge(oneGroup, []string{"d"}, recs, observations{"d": {"eu-1": {State: stateOf(t, "a")}}})
	if v.Converged || v.Lost != 1 {
		t.Fatalf("a node never read: %+v", v)
	}
}

func TestJudgeIsolatedGroupsAreCheckedSeparately(t *testing.T) {
	recs := []writeRecord{
		{Service: "eu-1", Doc: "d", Tokens: []string{"e"}, Acked: 1},
		{Service: "us-1", Doc: "d", Tokens: []string{"u"}, Acked: 1},
	}
	obs := observations{"d": {"eu-1": {State: stateOf(t, "e")}, "us-1": {State: stateOf(t, "u")}}}
	isolated := [][]string{{"eu-1"}, {"us-1"}}
	if v := judge(isolated, []string{"d"}, recs, obs); !v.ok() {
		t.Fatalf("each node holds what was written through it: %+v", v)
	}
	// A token written through us-1 showing up on an isolated eu-1 is unexpected there.
	obs["d"]["eu-1"] = observation{State: stateOf(t, "e", "u")}
	if v := judge(isolated, []string{"d"}, recs, obs); v.Unexpected != 1 {
		t.Fatalf("%+v", v)
	}
	// The same states judged as one replicated group: not converged, each token lost somewhere.
	obs["d"]["eu-1"] = observation{State: stateOf(t, "e")}
	if v := judge(oneGroup, []string{"d"}, recs, obs); v.Converged || v.Lost != 2 {
		t.Fatalf("%+v", v)
	}
}
