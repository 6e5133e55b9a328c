package main

import (
	"bytes"
	"slices"
	"testing"
)

func TestSyncFrameRoundTrip(t *testing.T) {
	payload := []byte{1, 2, 3}
	for _, w := range []wireFormat{{}, {docEnvelope: true}} {
		frame := w.syncFrame("doc-1", syncUpdate, payload)
		m, err := w.decode(frame)
		if err != nil {
			t.Fatal(err)
		}
		if !m.isSync || m.syncType != syncUpdate || !bytes.Equal(m.payload, payload) {
			t.Fatalf("envelope %v: decoded %+v", w.docEnvelope, m)
		}
	}
}

func TestFramingMatchesTheWireFormats(t *testing.T) {
	// y-websocket: [0 sync][2 update][varUint8Array]; Hocuspocus: the same after varString "ab".
	if got := (wireFormat{}).syncFrame("ignored", syncUpdate, []byte{9}); !bytes.Equal(got, []byte{0, 2, 1, 9}) {
		t.Fatalf("y-websocket frame % x", got)
	}
	hp := wireFormat{docEnvelope: true}
	if got := hp.syncFrame("ab", syncStep1, []byte{0}); !bytes.Equal(got, []byte{2, 'a', 'b', 0, 0, 1, 0}) {
		t.Fatalf("hocuspocus frame % x", got)
	}
	if got := hp.authFrame("ab"); !bytes.Equal(got, []byte{2, 'a', 'b', 2, 0, 0}) {
		t.Fatalf("hocuspocus auth frame % x", got)
	}
	// Hocuspocus answers our step 1 in a sync reply (type 4); y-websocket has no such type.
	reply := []byte{2, 'a', 'b', 4, 1, 2, 0, 0}
	if m, err := hp.decode(reply); err != nil || !m.isSync || m.syncType != syncStep2 {
		t.Fatalf("sync reply: %+v %v", m, err)
	}
	if m, err := (wireFormat{}).decode([]byte{4, 1, 0}); err != nil || m.isSync {
		t.Fatalf("type 4 on y-websocket must be read past: %+v %v", m, err)
	}
}

func TestDecodeRejectsTruncatedFrames(t *testing.T) {
	for _, frame := range [][]byte{{}, {0}, {0, 2}, {0, 2, 5, 1}, {0x80}} {
		if _, err := (wireFormat{}).decode(frame); err == nil {
			t.Errorf("% x: want an error", frame)
		}
	}
	if _, err := (wireFormat{docEnvelope: true}).decode([]byte{9, 'a'}); err == nil {
		t.Error("a document name longer than the frame must be an error")
	}
}

func TestMarkersRoundTripAndSurviveConcatenation(t *testing.T) {
	var b []byte
	b = append(b, "xx"...)
	b = appendMarker(b, 42, 7)
	b = appendMarker(b, maxSenders, maxSeq) // adjacent, as in a merged update's squashed string
	b = append(b, "~123~"...)               // too short to be a marker
	type hit struct{ sender, seq int }
	var got []hit
	scanMarkers(b, func(sender, seq int) { got = append(got, hit{sender, seq}) })
	if want := []hit{{42, 7}, {maxSenders, maxSeq}}; !slices.Equal(got, want) {
		t.Fatalf("markers %v, want %v (in %q)", got, want, b)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{0, 2, 1, 9}, false)
	f.Add([]byte{2, 'a', 'b', 4, 1, 2, 0, 0}, true)
	f.Add([]byte{0xff, 0xff, 0xff}, true)
	f.Fuzz(func(t *testing.T, frame []byte, envelope bool) {
		m, err := wireFormat{docEnvelope: envelope}.decode(frame)
		if err == nil && m.isSync && len(m.payload) > len(frame) {
			t.Fatalf("payload longer than the frame")
		}
		scanMarkers(frame, func(sender, seq int) {
			if sender < 0 || sender > maxSenders || seq < 0 || seq > maxSeq {
				t.Fatalf("marker out of range: %d %d", sender, seq)
			}
		})
	})
}
