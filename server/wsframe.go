package server

import (
	"encoding/binary"

	"github.com/gorilla/websocket"
)

// The writer encodes outgoing WebSocket frames itself (RFC 6455 §5.2) instead of calling gorilla's
// WriteMessage, which issues one write system call per message. Encoding lets the writer put every frame
// already queued for a connection into a single write: at a busy document that is one system call per burst
// instead of one per update, on the server and on the client that reads them.
//
// A server's frames are unmasked and never fragmented here: FIN is always set.

const (
	wsFinalBit     = 0x80
	wsMaxHeaderLen = 10 // 2 bytes + a 64-bit extended length; servers send no mask key
)

// appendFrameHeader appends the header of one final, unmasked frame of the given opcode
// (websocket.BinaryMessage, PingMessage, PongMessage or CloseMessage) carrying payloadLen bytes.
func appendFrameHeader(dst []byte, opcode int, payloadLen int) []byte {
	dst = append(dst, wsFinalBit|byte(opcode))
	switch {
	case payloadLen <= 125:
		return append(dst, byte(payloadLen))
	case payloadLen <= 0xFFFF:
		dst = append(dst, 126)
		return binary.BigEndian.AppendUint16(dst, uint16(payloadLen))
	default:
		dst = append(dst, 127)
		return binary.BigEndian.AppendUint64(dst, uint64(payloadLen))
	}
}

// appendFrame appends a whole frame: header, then payload.
func appendFrame(dst []byte, opcode int, payload []byte) []byte {
	return append(appendFrameHeader(dst, opcode, len(payload)), payload...)
}

// closeFramePayload is the body of a close frame: the code and a reason cut to fit a control frame.
func closeFramePayload(code int, reason string) []byte {
	if len(reason) > closeReasonMaxBytes {
		reason = reason[:closeReasonMaxBytes]
	}
	return websocket.FormatCloseMessage(code, reason)
}
