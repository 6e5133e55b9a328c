package client

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func nowFixed() time.Time { return epoch }

func entry(client, clock uint64, state string) []byte {
	b := appendVarUint(nil, 1)
	b = appendVarUint(b, client)
	b = appendVarUint(b, clock)
	return appendString(b, state)
}

func TestAwarenessNewerClockWins(t *testing.T) {
	a := newAwareness(1, nowFixed)
	var changes []AwarenessChange
	a.OnChange(func(c AwarenessChange) { changes = append(changes, c) })
	steps := []struct {
		update []byte
		want   string // client 9's state afterwards, "" when absent
	}{
		{entry(9, 2, `{"x":1}`), `{"x":1}`},
		{entry(9, 1, `{"x":0}`), `{"x":1}`}, // older: ignored
		{entry(9, 3, `{"x":2}`), `{"x":2}`},
		{entry(9, 3, `null`), ""}, // a removal at the same clock wins
		{entry(9, 3, `{"x":3}`), ""},
	}
	for i, s := range steps {
		if err := a.apply(s.update); err != nil {
			t.Fatal(err)
		}
		if got := string(a.States()[9]); got != s.want {
			t.Fatalf("step %d: state %q, want %q", i, got, s.want)
		}
	}
	want := []AwarenessChange{{Added: []uint64{9}}, {Updated: []uint64{9}}, {Removed: []uint64{9}}}
	if len(changes) != len(want) || !slices.Equal(changes[0].Added, want[0].Added) ||
		!slices.Equal(changes[1].Updated, want[1].Updated) || !slices.Equal(changes[2].Removed, want[2].Removed) {
		t.Fatalf("changes %+v, want %+v", changes, want)
	}
}

func TestAwarenessRepublishesWhenOthersRemoveUs(t *testing.T) {
	a := newAwareness(1, nowFixed)
	var sent [][]byte
	a.send = func(u []byte) { sent = append(sent, u) }
	if err := a.SetLocalState(map[string]int{"c": 1}); err != nil {
		t.Fatal(err)
	}
	if err := a.apply(entry(1, 1, "null")); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 2 {
		t.Fatalf("sent %d updates, want the state and its republication", len(sent))
	}
	entries, err := decodeAwarenessUpdate(sent[1])
	if err != nil || entries[0].clock != 2 || string(entries[0].state) != `{"c":1}` {
		t.Fatalf("republished %+v (%v), want clock 2 with our state", entries, err)
	}
}

func TestAwarenessTimesOutPeersAndRenewsOurs(t *testing.T) {
	now := epoch
	a := newAwareness(1, func() time.Time { return now })
	var sent int
	a.send = func([]byte) { sent++ }
	_ = a.SetLocalState("me")
	_ = a.apply(entry(2, 1, `"peer"`))
	now = now.Add(awarenessTimeout / 2)
	a.tick()
	if sent != 2 {
		t.Fatalf("sent %d updates, want our state renewed once", sent)
	}
	now = now.Add(awarenessTimeout / 2)
	a.tick()
	if _, ok := a.States()[2]; ok {
		t.Fatal("a silent peer was kept past the timeout")
	}
	if got := a.LocalState(); !json.Valid(got) || string(got) != `"me"` {
		t.Fatalf("local state %s", got)
	}
}

func TestAwarenessRejectsNonJSON(t *testing.T) {
	a := newAwareness(1, nowFixed)
	if err := a.apply(entry(3, 1, "{oops")); err == nil {
		t.Fatal("accepted a state that is not JSON")
	}
	if err := a.SetLocalState(func() {}); err == nil {
		t.Fatal("accepted a state that cannot be JSON")
	}
}
