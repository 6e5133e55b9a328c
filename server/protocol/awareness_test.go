package protocol

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestAwarenessUpdateMatchesTV8(t *testing.T) {
	online := EncodeAwarenessMessage(EncodeAwarenessUpdate([]AwarenessEntry{{ClientID: 1, Clock: 1, State: `{"user":{"name":"A"}}`}}))
	if want := unhex(t, "01 19 01 01 01 15 7b 22 75 73 65 72 22 3a 7b 22 6e 61 6d 65 22 3a 22 41 22 7d 7d"); !bytes.Equal(online, want) {
		t.Fatalf("online: % x", online)
	}
	offline := unhex(t, "01 08 01 01 02 04 6e 75 6c 6c")
	m, err := DecodeMessage(offline)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := DecodeAwarenessUpdate(m.Awareness)
	if err != nil || len(entries) != 1 || entries[0] != (AwarenessEntry{ClientID: 1, Clock: 2, State: "null"}) || !entries[0].IsNull() {
		t.Fatalf("offline: %+v %v", entries, err)
	}
}

func TestDecodeAwarenessUpdateRejectsBadInput(t *testing.T) {
	for name, h := range map[string]string{
		"not json":        "01 01 01 03 61 62 63",
		"lying count":     "ff ff 03 01",
		"trailing":        "01 01 01 02 7b 7d 00",
		"invalid utf8":    "01 01 01 02 c3 28",
		"truncated state": "01 01 01 05 7b 7d",
	} {
		if _, err := DecodeAwarenessUpdate(unhex(t, h)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestAwarenessFollowsTranscript replays the awareness part of the transcript in yjs-protocol.md §6.6.
func TestAwarenessFollowsTranscript(t *testing.T) {
	a := NewAwareness(0)
	now := time.Unix(1000, 0)
	apply := func(e AwarenessEntry) int {
		t.Helper()
		got, err := a.Apply([]AwarenessEntry{e}, now)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if n := apply(AwarenessEntry{11, 1, `{"name":"A"}`}); n != 1 {
		t.Fatalf("A's first state not accepted")
	}
	if n := apply(AwarenessEntry{22, 0, `{}`}); n != 0 {
		t.Fatalf("clock-0 state of an unknown client must be ignored")
	}
	if n := apply(AwarenessEntry{11, 1, `{"name":"A"}`}); n != 0 {
		t.Fatalf("re-forwarded state at the same clock must be ignored")
	}
	if n := apply(AwarenessEntry{22, 0, "null"}); n != 0 {
		t.Fatalf("null at clock 0 for an unknown client must be ignored")
	}
	if a.Len() != 1 || len(a.States()) != 1 {
		t.Fatalf("want 1 state, have %d", a.Len())
	}
	if n := apply(AwarenessEntry{11, 1, "null"}); n != 1 {
		t.Fatalf("null at the same clock must remove a stored state")
	}
	if a.Len() != 0 {
		t.Fatalf("state not removed")
	}
	if n := apply(AwarenessEntry{11, 1, `{"name":"A"}`}); n != 0 {
		t.Fatalf("an old clock must not resurrect a removed state")
	}
}

func TestAwarenessHeartbeatExpiryAndRemoval(t *testing.T) {
	a := NewAwareness(0)
	t0 := time.Unix(1000, 0)
	a.Apply([]AwarenessEntry{{1, 1, `{"a":1}`}, {2, 5, `{"b":2}`}}, t0)
	// Client 1 heartbeats (same content, clock+1): accepted so it is re-broadcast.
	got, _ := a.Apply([]AwarenessEntry{{1, 2, `{"a":1}`}}, t0.Add(20*time.Second))
	if len(got) != 1 {
		t.Fatalf("heartbeat not accepted: %+v", got)
	}
	removed := a.Expire(t0.Add(AwarenessTimeout))
	if len(removed) != 1 || removed[0] != (AwarenessEntry{2, 5, "null"}) {
		t.Fatalf("expire: %+v", removed)
	}
	removed = a.Remove([]uint64{1, 99})
	if len(removed) != 1 || removed[0] != (AwarenessEntry{1, 2, "null"}) {
		t.Fatalf("remove: %+v", removed)
	}
	if a.Len() != 0 {
		t.Fatalf("states left: %d", a.Len())
	}
	a.Expire(t0.Add(10 * AwarenessTimeout))
	if len(a.meta) != 0 {
		t.Fatalf("clocks of gone clients kept forever: %d", len(a.meta))
	}
}

func TestAwarenessLimit(t *testing.T) {
	a := NewAwareness(2)
	now := time.Unix(0, 0)
	if _, err := a.Apply([]AwarenessEntry{{1, 1, `{}`}, {2, 1, `{}`}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Apply([]AwarenessEntry{{3, 1, `{}`}}, now); !errors.Is(err, ErrAwarenessFull) {
		t.Fatalf("third state accepted: %v", err)
	}
	// Existing clients may still update.
	if got, err := a.Apply([]AwarenessEntry{{1, 2, `{"x":1}`}}, now); err != nil || len(got) != 1 {
		t.Fatalf("update of existing client refused: %v", err)
	}
}

func FuzzDecodeAwarenessUpdate(f *testing.F) {
	f.Add(unhex(f, "01 01 01 15 7b 22 75 73 65 72 22 3a 7b 22 6e 61 6d 65 22 3a 22 41 22 7d 7d"))
	f.Add(unhex(f, "01 01 02 04 6e 75 6c 6c"))
	f.Add(unhex(f, "02 0b 01 02 7b 7d 16 00 04 6e 75 6c 6c"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		entries, err := DecodeAwarenessUpdate(payload)
		if err != nil {
			return
		}
		again, err := DecodeAwarenessUpdate(EncodeAwarenessUpdate(entries))
		if err != nil || len(again) != len(entries) {
			t.Fatalf("round trip: %v", err)
		}
		a := NewAwareness(4)
		a.Apply(entries, time.Unix(0, 0))
		if a.Len() < 0 || a.Len() > 4 || a.Len() != len(a.States()) {
			t.Fatalf("inconsistent state count %d vs %d", a.Len(), len(a.States()))
		}
	})
}
