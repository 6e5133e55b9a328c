package transport

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Version is the peer protocol version spoken in the handshake.
const Version = 1

// maxNodeID bounds a node id in a hello.
const maxNodeID = 256

var (
	// ErrAuth reports a peer that failed to prove it holds the cluster key, or a tampered frame.
	ErrAuth = errors.New("meridian/replication/transport: authentication failed")
	// ErrProtocol reports malformed handshake or frame bytes, or an unsupported version.
	ErrProtocol = errors.New("meridian/replication/transport: protocol error")
)

// Identity is who this end is and the secret it shares with its cluster.
type Identity struct {
	Node string
	Key  []byte // the cluster key; every node of the cluster has the same
}

// hello opens each side's part of the handshake.
type hello struct {
	version byte
	node    string
	nonce   [32]byte
}

func newHello(node string) (hello, error) {
	h := hello{version: Version, node: node}
	if _, err := rand.Read(h.nonce[:]); err != nil {
		return hello{}, fmt.Errorf("meridian/replication/transport: nonce: %w", err)
	}
	return h, nil
}

func (h hello) encode() []byte {
	b := []byte{'M', 'R', 'P', h.version}
	b = binary.AppendUvarint(b, uint64(len(h.node)))
	b = append(b, h.node...)
	return append(b, h.nonce[:]...)
}

// decodeHello parses a hello from its exact bytes.
func decodeHello(b []byte) (hello, error) {
	var h hello
	if len(b) < 5 || string(b[:3]) != "MRP" {
		return h, fmt.Errorf("%w: not a Meridian peer hello", ErrProtocol)
	}
	h.version = b[3]
	if h.version != Version {
		return h, fmt.Errorf("%w: peer speaks version %d, we speak %d", ErrProtocol, h.version, Version)
	}
	n, k := binary.Uvarint(b[4:])
	if k <= 0 || n == 0 || n > maxNodeID || uint64(len(b)-4-k) != n+32 {
		return h, fmt.Errorf("%w: bad hello length", ErrProtocol)
	}
	h.node = string(b[4+k : 4+k+int(n)])
	copy(h.nonce[:], b[4+k+int(n):])
	return h, nil
}

func readHello(r *bufio.Reader) (hello, error) {
	b, err := readFrameBytes(r, 4+binary.MaxVarintLen64+maxNodeID+32)
	if err != nil {
		return hello{}, err
	}
	return decodeHello(b)
}

// proof is what a side sends to show it holds the key: an HMAC binding its role, both nonces and
// both node ids, so it cannot be replayed into another handshake or reflected back.
func proof(key []byte, role string, client, server hello) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("meridian/peer/v1 " + role))
	m.Write(client.nonce[:])
	m.Write(server.nonce[:])
	writeString(m, client.node)
	writeString(m, server.node)
	return m.Sum(nil)
}

func sessionKey(key []byte, client, server hello) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("meridian/peer/v1 session"))
	m.Write(client.nonce[:])
	m.Write(server.nonce[:])
	return m.Sum(nil)
}

func writeString(w io.Writer, s string) {
	var n [binary.MaxVarintLen64]byte
	w.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
	w.Write([]byte(s))
}
