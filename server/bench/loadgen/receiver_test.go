package main

import (
	"bytes"
	"testing"

	"github.com/gorilla/websocket"
)

func serverFrame(opcode int, payload []byte) []byte {
	b := []byte{0x80 | byte(opcode)}
	switch n := len(payload); {
	case n <= 125:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, payload...)
}

// The receiver parses frames from whatever the socket gives it: whole frames, several at once, or a frame cut
// anywhere, including inside its header.
func TestReceiverReassemblesFramesAcrossReads(t *testing.T) {
	payloads := [][]byte{[]byte("a"), bytes.Repeat([]byte("b"), 300), bytes.Repeat([]byte("c"), 70_000), {}}
	var stream []byte
	for _, p := range payloads {
		stream = append(stream, serverFrame(websocket.BinaryMessage, p)...)
	}
	for _, cut := range []int{1, 2, 3, 7, 1000, len(stream)} {
		var got [][]byte
		r := &receiver{onFrame: func(_ *benchClient, p []byte) { got = append(got, append([]byte(nil), p...)) }}
		rc := &receiving{}
		for i := 0; i < len(stream); i += cut {
			r.consume(rc, stream[i:min(i+cut, len(stream))])
		}
		if len(got) != len(payloads) {
			t.Fatalf("reads of %d bytes: %d frames, want %d", cut, len(got), len(payloads))
		}
		for i := range payloads {
			if !bytes.Equal(got[i], payloads[i]) {
				t.Fatalf("reads of %d bytes: frame %d differs", cut, i)
			}
		}
		if len(rc.partial) != 0 {
			t.Fatalf("reads of %d bytes: %d bytes left over", cut, len(rc.partial))
		}
	}
}
