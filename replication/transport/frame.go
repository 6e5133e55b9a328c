package transport

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
)

const tagSize = 16

// writeFrameBytes writes a length-prefixed payload (handshake frames carry no tag).
func writeFrameBytes(w io.Writer, payload []byte) error {
	b := binary.AppendUvarint(nil, uint64(len(payload)))
	if _, err := w.Write(append(b, payload...)); err != nil {
		return err
	}
	return nil
}

// readFrameBytes reads a length-prefixed payload of at most max bytes. The length is checked before
// anything is allocated.
func readFrameBytes(r *bufio.Reader, max int) ([]byte, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("%w: frame length: %v", ErrProtocol, err)
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("%w: frame of %d bytes exceeds %d", ErrProtocol, n, max)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("%w: truncated frame: %v", ErrProtocol, err)
	}
	return b, nil
}

// frameTag authenticates one frame: the counter makes a replayed or reordered frame fail.
func frameTag(session []byte, counter uint64, payload []byte) []byte {
	m := hmac.New(sha256.New, session)
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], counter)
	m.Write(c[:])
	m.Write(payload)
	return m.Sum(nil)[:tagSize]
}

// sealFrame returns payload followed by its tag.
func sealFrame(session []byte, counter uint64, payload []byte) []byte {
	return append(append([]byte(nil), payload...), frameTag(session, counter, payload)...)
}

// openFrame checks and strips the tag of a sealed frame.
func openFrame(session []byte, counter uint64, sealed []byte) ([]byte, error) {
	if len(sealed) < tagSize {
		return nil, fmt.Errorf("%w: frame shorter than its tag", ErrProtocol)
	}
	payload, tag := sealed[:len(sealed)-tagSize], sealed[len(sealed)-tagSize:]
	if !hmac.Equal(tag, frameTag(session, counter, payload)) {
		return nil, fmt.Errorf("%w: frame %d failed its integrity check", ErrAuth, counter)
	}
	return payload, nil
}

// WireSize is how many bytes a frame carrying a payload of n bytes occupies on the stream: the
// length prefix, the payload and the tag. Byte counters use it so they measure the network.
func WireSize(n int) int {
	var lenBuf [binary.MaxVarintLen64]byte
	return binary.PutUvarint(lenBuf[:], uint64(n+tagSize)) + n + tagSize
}
