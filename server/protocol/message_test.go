package protocol

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// helloUpdate is TV1: "hello" typed by client 1.
const helloUpdate = "01 01 01 00 04 01 01 74 05 68 65 6c 6c 6f 00"

func TestEncodersMatchYjsVectors(t *testing.T) {
	// TV7 of yjs-protocol.md §8.
	cases := []struct {
		name string
		got  []byte
		want string
	}{
		{"step1 of a", EncodeSyncStep1(unhex(t, "01 01 05")), "00 00 03 01 01 05"},
		{"step1 of empty b", EncodeSyncStep1([]byte{0}), "00 00 01 00"},
		{"step2", EncodeSyncStep2(unhex(t, helloUpdate)), "00 01 0f " + helloUpdate},
		{"update", EncodeSyncUpdate(unhex(t, helloUpdate)), "00 02 0f " + helloUpdate},
		{"empty step2", EncodeSyncStep2([]byte{0, 0}), "00 01 02 00 00"},
		{"permission denied", EncodePermissionDenied("no"), "02 00 02 6e 6f"},
		{"query awareness", EncodeQueryAwareness(), "03"},
	}
	for _, c := range cases {
		if want := unhex(t, c.want); !bytes.Equal(c.got, want) {
			t.Errorf("%s: got % x, want % x", c.name, c.got, want)
		}
	}
}

func TestDecodeMessageRoundTrips(t *testing.T) {
	m, err := DecodeMessage(unhex(t, "00 02 0f "+helloUpdate))
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != MessageSync || m.Sync.Type != SyncUpdate || !bytes.Equal(m.Sync.Payload, unhex(t, helloUpdate)) {
		t.Fatalf("decoded %+v", m)
	}
	m, err = DecodeMessage(EncodePermissionDenied("read-only token"))
	if err != nil || m.Type != MessageAuth || m.Reason != "read-only token" {
		t.Fatalf("auth: %+v %v", m, err)
	}
	m, err = DecodeMessage(EncodeHello(Hello{Region: "eu-west", Node: "n1"}))
	if err != nil || m.Hello != (Hello{Region: "eu-west", Node: "n1"}) {
		t.Fatalf("hello: %+v %v", m, err)
	}
	m, err = DecodeMessage(EncodeAck(Ack{Updates: 300, Regions: 1}))
	if err != nil || m.Ack != (Ack{Updates: 300, Regions: 1}) {
		t.Fatalf("ack: %+v %v", m, err)
	}
	if got := EncodeAck(Ack{Updates: 300, Regions: 1}); !bytes.Equal(got, unhex(t, "65 ac 02 01")) {
		t.Fatalf("ack bytes % x", got)
	}
	m, err = DecodeMessage([]byte{3})
	if err != nil || m.Type != MessageQueryAwareness {
		t.Fatalf("query awareness: %+v %v", m, err)
	}
}

func TestDecodeMessageRejectsMalformedFrames(t *testing.T) {
	cases := map[string]string{
		"empty":                   "",
		"unknown type":            "07",
		"unknown sync type":       "00 03 00",
		"truncated payload":       "00 02 0f 01 01",
		"trailing bytes":          "00 00 01 00 ff",
		"overlong varUint":        "ff ff ff ff ff ff ff ff ff 01",
		"varUint above 2^53":      "00 00 ff ff ff ff ff ff ff 7f",
		"auth with invalid utf-8": "02 00 02 c3 28",
		"unknown auth type":       "02 01 00",
		"awareness truncated":     "01 05 01 02",
	}
	for name, h := range cases {
		if _, err := DecodeMessage(unhex(t, h)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

func TestParseExtensions(t *testing.T) {
	e, err := ParseExtensions("ack, hello")
	if err != nil || !e.Ack || !e.Hello {
		t.Fatalf("got %+v %v", e, err)
	}
	if e, err := ParseExtensions(""); err != nil || e != (Extensions{}) {
		t.Fatalf("empty: %+v %v", e, err)
	}
	if _, err := ParseExtensions("ack,teleport"); err == nil || !strings.Contains(err.Error(), "teleport") {
		t.Fatalf("unknown extension accepted: %v", err)
	}
}

func FuzzDecodeMessage(f *testing.F) {
	for _, seed := range []string{"00 00 03 01 01 05", "00 01 02 00 00", "02 00 02 6e 6f", "03", "65 ac 02 01",
		"01 08 01 01 02 04 6e 75 6c 6c", "64 01 61 01 62", "00 02 0f " + helloUpdate} {
		f.Add(unhex(f, seed))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		m, err := DecodeMessage(frame)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		// Whatever decodes must re-encode to an equivalent message.
		var again []byte
		switch m.Type {
		case MessageSync:
			again = encodeSync(m.Sync.Type, m.Sync.Payload)
		case MessageAwareness:
			again = EncodeAwarenessMessage(m.Awareness)
		case MessageAuth:
			again = EncodePermissionDenied(m.Reason)
		case MessageQueryAwareness:
			again = EncodeQueryAwareness()
		case MessageHello:
			again = EncodeHello(m.Hello)
		case MessageAck:
			again = EncodeAck(m.Ack)
		}
		m2, err := DecodeMessage(again)
		if err != nil || m2.Type != m.Type || m2.Reason != m.Reason || m2.Hello != m.Hello || m2.Ack != m.Ack ||
			!bytes.Equal(m2.Sync.Payload, m.Sync.Payload) || !bytes.Equal(m2.Awareness, m.Awareness) {
			t.Fatalf("re-encoding changed the message: %+v vs %+v (%v)", m, m2, err)
		}
	})
}
