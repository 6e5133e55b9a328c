package wire

import (
	"errors"
	"reflect"
	"testing"
)

func sampleMessages() []Message {
	return []Message{
		{Kind: KindPush, Seq: 7, Floor: 3, Doc: "notes/1", Data: []byte{0, 1, 2}},
		{Kind: KindPush, Seq: 8, Floor: 3, Doc: "gone", Deleted: true, Data: []byte{}},
		{Kind: KindAck, Next: 9, Gap: true},
		{Kind: KindRootsReq, Xid: 1 << 40, Top: 1<<63 + 5},
		{Kind: KindRoots, Xid: 2, Top: 9, Fanout: 2, Depth: 3, Hashes: []uint64{1, 1<<64 - 1}},
		{Kind: KindNodesReq, Xid: 3, Level: 2, Indexes: []uint32{0, 255}},
		{Kind: KindNodes, Xid: 3, Level: 5, Indexes: []uint32{5}, Hashes: []uint64{9, 8, 7}},
		{Kind: KindKeysReq, Xid: 4, Indexes: []uint32{65535}},
		{Kind: KindKeys, Xid: 4, Keys: []KeyDigest{{Doc: "a", Digest: [32]byte{1, 2}}, {Doc: "b", Deleted: true}}},
		{Kind: KindSyncStep1, Xid: 5, Reply: true, Doc: "d", Data: []byte{0}},
		{Kind: KindSyncStep2, Xid: 5, Doc: "d", Data: []byte{0, 0}},
		{Kind: KindTombstone, Xid: 6, Doc: "d"},
	}
}

// normalize makes empty and nil slices compare equal: the wire does not distinguish them.
func normalize(m Message) Message {
	if len(m.Data) == 0 {
		m.Data = nil
	}
	if len(m.Hashes) == 0 {
		m.Hashes = nil
	}
	if len(m.Indexes) == 0 {
		m.Indexes = nil
	}
	if len(m.Keys) == 0 {
		m.Keys = nil
	}
	return m
}

func TestRoundTrip(t *testing.T) {
	for _, m := range sampleMessages() {
		got, err := Decode(Encode(m), DefaultLimits)
		if err != nil {
			t.Fatalf("%v: %v", m.Kind, err)
		}
		if !reflect.DeepEqual(normalize(got), normalize(m)) {
			t.Fatalf("%v: round trip gave %+v, want %+v", m.Kind, got, m)
		}
	}
}

func TestMalformedInputIsAnError(t *testing.T) {
	push := Encode(Message{Kind: KindPush, Seq: 1, Doc: "doc", Data: []byte("update")})
	cases := map[string][]byte{
		"empty":          nil,
		"unknown kind":   {99},
		"truncated":      push[:len(push)-1],
		"trailing bytes": append(append([]byte(nil), push...), 0),
		"bad bool":       {byte(KindAck), 1, 2},
		"huge length":    {byte(KindSyncStep2), 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"truncated top":  {byte(KindRootsReq), 1, 0, 0},
		"bad varint":     {byte(KindRootsReq), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"index > 32 bit": {byte(KindKeysReq), 0, 1, 0xff, 0xff, 0xff, 0xff, 0x7f},
	}
	for name, b := range cases {
		if _, err := Decode(b, DefaultLimits); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

func TestLimitsAreEnforced(t *testing.T) {
	lim := Limits{MaxData: 4, MaxDocID: 2, MaxList: 1}
	for _, m := range []Message{
		{Kind: KindPush, Doc: "ok", Data: []byte("12345")},
		{Kind: KindPush, Doc: "long", Data: nil},
		{Kind: KindNodesReq, Indexes: []uint32{1, 2}},
	} {
		if _, err := Decode(Encode(m), lim); !errors.Is(err, ErrMalformed) {
			t.Errorf("%+v passed limits %+v", m, lim)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, m := range sampleMessages() {
		f.Add(Encode(m))
	}
	f.Add([]byte{})
	f.Add([]byte{byte(KindKeys), 0, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b, DefaultLimits)
		if err != nil {
			return
		}
		again, err := Decode(Encode(m), DefaultLimits)
		if err != nil {
			t.Fatalf("re-decoding an encoded message failed: %v", err)
		}
		if !reflect.DeepEqual(normalize(again), normalize(m)) {
			t.Fatalf("decode(encode(m)) = %+v, want %+v", again, m)
		}
	})
}
