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

// Identity is who this end is and the secrets it shares with its cluster.
type Identity struct {
	Node string
	// Key is the cluster key when the cluster has a single one (tests, tools).
	Key []byte
	// Keys, when set, is the cluster keyring, read at every handshake so a rotation takes effect on the
	// next connection: the installed keys, the primary first. It overrides Key. This end proves with the
	// primary and accepts the other end's proof under any installed key, so two nodes whose primaries
	// differ for a moment during a rotation (install, use, remove) still connect.
	Keys func() [][]byte
}

// keyring returns the keys to use, the primary first, or an error when there is none: an empty key
// would make every proof forgeable.
func (id Identity) keyring() ([][]byte, error) {
	keys := [][]byte{id.Key}
	if id.Keys != nil {
		keys = id.Keys()
	}
	if len(keys) == 0 || len(keys[0]) == 0 {
		return nil, fmt.Errorf("%w: no cluster key configured", ErrAuth)
	}
	return keys, nil
}

// verifyProof returns the installed key under which got is the expected proof, or nil when none is.
// Every key is tried (no early exit) so the time taken does not tell which key matched.
func verifyProof(keys [][]byte, got []byte, role string, client, server hello) []byte {
	var match []byte
	for _, k := range keys {
		if len(k) > 0 && hmac.Equal(got, proof(k, role, client, server)) && match == nil {
			match = k
		}
	}
	return match
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
