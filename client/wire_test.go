package client

import (
	"bytes"
	"errors"
	"testing"
)

func TestDecodeFrame(t *testing.T) {
	hello := appendString(appendString(appendVarUint(nil, msgHello), "eu-west"), "node-7")
	ack := appendVarUint(appendVarUint(appendVarUint(nil, msgAck), 300), 2)
	auth := appendString(appendVarUint(appendVarUint(nil, msgAuth), 0), "read-only")
	cases := []struct {
		name string
		in   []byte
		want frame
	}{
		{"step1", encodeSync(syncStep1, []byte{0}), frame{kind: msgSync, sync: syncStep1, payload: []byte{0}}},
		{"update", encodeSync(syncUpdate, []byte{1, 2}), frame{kind: msgSync, sync: syncUpdate, payload: []byte{1, 2}}},
		{"awareness", encodeAwarenessMessage([]byte{0}), frame{kind: msgAwareness, payload: []byte{0}}},
		{"hello", hello, frame{kind: msgHello, region: "eu-west", node: "node-7"}},
		{"ack", ack, frame{kind: msgAck, acked: 300, regions: 2}},
		{"auth", auth, frame{kind: msgAuth, reason: "read-only"}},
		{"query awareness", []byte{msgQueryAwareness}, frame{kind: msgQueryAwareness}},
	}
	for _, tc := range cases {
		got, err := decodeFrame(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.kind != tc.want.kind || got.sync != tc.want.sync || !bytes.Equal(got.payload, tc.want.payload) ||
			got.region != tc.want.region || got.node != tc.want.node || got.acked != tc.want.acked ||
			got.regions != tc.want.regions || got.reason != tc.want.reason {
			t.Fatalf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestDecodeFrameRejectsBadInput(t *testing.T) {
	bad := map[string][]byte{
		"empty":            nil,
		"unknown type":     {42},
		"unknown sync":     {0, 3, 0},
		"length past end":  {0, 2, 5, 1},
		"trailing bytes":   {0, 2, 0, 9},
		"huge varuint":     {101, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 1},
		"bad utf-8":        {100, 1, 0xff, 0},
		"auth unknown sub": {2, 1, 0},
	}
	for name, in := range bad {
		if _, err := decodeFrame(in); !errors.Is(err, errMalformed) {
			t.Errorf("%s: got %v, want errMalformed", name, err)
		}
	}
}

func TestVarUintRoundTrip(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 300, 1<<32 + 5, 1<<53 - 1} {
		r := reader{buf: appendVarUint(nil, v)}
		if got := r.varUint(); got != v || r.err != nil || r.pos != len(r.buf) {
			t.Fatalf("%d: got %d, %v", v, got, r.err)
		}
	}
}

func FuzzDecodeFrame(f *testing.F) {
	f.Add(encodeSync(syncStep2, []byte{0, 0}))
	f.Add(appendString(appendString(appendVarUint(nil, msgHello), "r"), "n"))
	f.Add([]byte{msgAck, 1, 1})
	f.Add(encodeAwarenessMessage([]byte{1, 1, 1, 4, 'n', 'u', 'l', 'l'}))
	f.Fuzz(func(t *testing.T, in []byte) {
		fr, err := decodeFrame(in)
		if err != nil {
			return
		}
		if fr.kind == msgSync { // what decodes re-encodes (canonically: lib0 accepts overlong varints) to the same message
			again, err := decodeFrame(encodeSync(fr.sync, fr.payload))
			if err != nil || again.sync != fr.sync || !bytes.Equal(again.payload, fr.payload) {
				t.Fatalf("%x: re-encoded as %+v, %v", in, again, err)
			}
		}
	})
}

func FuzzDecodeAwarenessUpdate(f *testing.F) {
	f.Add([]byte{1, 7, 1, 4, 'n', 'u', 'l', 'l'})
	f.Add([]byte{1, 7, 2, 7, '{', '"', 'a', '"', ':', '1', '}'})
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, in []byte) {
		a := newAwareness(1, nowFixed)
		if err := a.apply(in); err != nil {
			return
		}
		for id, s := range a.States() {
			if string(s) == "null" {
				t.Fatalf("client %d kept a null state", id)
			}
		}
	})
}
