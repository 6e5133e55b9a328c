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
		{Kind: KindHeartbeat},
		{Kind: KindSyncReply, Xid: 8, First: 300, Syncs: []DocSync{{Update: []byte{1, 2}, StateVector: []byte{3}}, {}}},
		{Kind: KindNodes32, Xid: 3, Level: 5, Indexes: []uint32{5}, Hashes: []uint64{9, 1<<32 - 1, 0}},
		{Kind: KindSubtreeKeysReq, Xid: 9, Subtrees: []NodeRef{{Level: 4, Index: 4095}, {Level: 6, Index: 1 << 18}}},
		{Kind: KindKeyHashes, Xid: 7, KeyHashes: []KeyHash{{Doc: "notes/1", Hash: 1<<32 - 1}, {Doc: "notes/12", Deleted: true},
			{Doc: "other", Hash: 5}}},
		{Kind: KindSyncBatch1, Xid: 8, Syncs: []DocSync{{Doc: "doc-1", StateVector: []byte{1, 2, 3}}, {Doc: "doc-2"}}},
		{Kind: KindSyncBatch2, Xid: 8, Syncs: []DocSync{{Doc: "doc-1", Update: []byte{0, 0}, StateVector: []byte{1}},
			{Doc: "doc-10", Update: []byte{9}}}},
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
	if len(m.KeyHashes) == 0 {
		m.KeyHashes = nil
	}
	if len(m.Syncs) == 0 {
		m.Syncs = nil
	}
	if len(m.Subtrees) == 0 {
		m.Subtrees = nil
	}
	for i := range m.Syncs {
		if len(m.Syncs[i].Update) == 0 {
			m.Syncs[i].Update = nil
		}
		if len(m.Syncs[i].StateVector) == 0 {
			m.Syncs[i].StateVector = nil
		}
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
		"empty":           nil,
		"unknown kind":    {99},
		"truncated":       push[:len(push)-1],
		"trailing bytes":  append(append([]byte(nil), push...), 0),
		"bad bool":        {byte(KindAck), 1, 2},
		"huge length":     {byte(KindSyncStep2), 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"truncated top":   {byte(KindRootsReq), 1, 0, 0},
		"bad varint":      {byte(KindRootsReq), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"index > 32 bit":  {byte(KindKeysReq), 0, 1, 0xff, 0xff, 0xff, 0xff, 0x7f},
		"prefix too long": {byte(KindSyncBatch1), 0, 1, 3, 1, 'a', 0},
		"huge key list":   {byte(KindKeyHashes), 0, 0xff, 0xff, 0x3f},
		"heartbeat body":  {byte(KindHeartbeat), 0},
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
	f.Add([]byte{byte(KindSyncBatch2), 0, 2, 0, 1, 'a', 0, 0, 1, 1, 'b', 1, 7, 0})
	f.Add([]byte{byte(KindSyncReply), 1, 5, 2, 0, 0, 1, 7, 0})
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

// TestFrontCodingSharesPrefixes checks that sorted ids with a common prefix cost only their
// differing tails on the wire, which is what keeps large key lists small.
func TestFrontCodingSharesPrefixes(t *testing.T) {
	var long, short Message
	long.Kind, short.Kind = KindKeyHashes, KindKeyHashes
	for i := range 100 {
		long.KeyHashes = append(long.KeyHashes, KeyHash{Doc: "tenant-42/notes/" + string(rune('a'+i%26)) + string(rune('a'+i/26))})
		short.KeyHashes = append(short.KeyHashes, KeyHash{Doc: string(rune('a'+i%26)) + string(rune('a'+i/26))})
	}
	sortKeyHashes(long.KeyHashes)
	sortKeyHashes(short.KeyHashes)
	if l, s := len(Encode(long)), len(Encode(short)); l > s+len("tenant-42/notes/")+2 {
		t.Fatalf("front-coded list of long ids is %d bytes, of short ids %d: the prefix is not shared", l, s)
	}
}

func sortKeyHashes(k []KeyHash) {
	for i := range k {
		for j := i + 1; j < len(k); j++ {
			if k[j].Doc < k[i].Doc {
				k[i], k[j] = k[j], k[i]
			}
		}
	}
}
