package transport

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"time"
)

// DefaultMaxFrame bounds a received frame (an update plus framing); larger frames close the stream.
const DefaultMaxFrame = 64<<20 + 4096

// HandshakeTimeout bounds the whole handshake, so a silent peer cannot hold a connection slot.
const HandshakeTimeout = 10 * time.Second

// Conn is an authenticated one-way stream of frames. Send and Recv may each be called from one
// goroutine at a time; Close may be called from any.
type Conn struct {
	conn     net.Conn
	r        *bufio.Reader
	w        *bufio.Writer
	session  []byte
	peer     string
	maxFrame int

	sendMu  sync.Mutex
	sendCtr uint64
	recvCtr uint64
}

// Peer is the authenticated node id of the other end.
func (c *Conn) Peer() string { return c.peer }

// Close closes the underlying connection.
func (c *Conn) Close() error { return c.conn.Close() }

// SetDeadline sets the underlying connection's deadline.
func (c *Conn) SetDeadline(t time.Time) error { return c.conn.SetDeadline(t) }

// Dial connects to a peer and runs the client side of the handshake. tlsCfg may be nil; when set, only a
// TLS connection is made (see TLSConfig), and the cluster-key handshake runs inside it.
func Dial(ctx context.Context, addr string, id Identity, tlsCfg *tls.Config) (*Conn, error) {
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if tlsCfg != nil {
		tc, err := tlsClient(ctx, raw, tlsCfg, addr)
		if err != nil {
			raw.Close()
			return nil, err
		}
		raw = tc
	}
	c, err := clientHandshake(raw, id)
	if err != nil {
		raw.Close()
		return nil, err
	}
	return c, nil
}

// Accept runs the server side of the handshake on an accepted connection. tlsCfg may be nil; when set, the
// connection must open with TLS (a plain one fails with ErrTLS) and the cluster-key handshake runs inside it.
func Accept(raw net.Conn, id Identity, tlsCfg *tls.Config) (*Conn, error) {
	if tlsCfg != nil {
		tc, err := tlsServer(raw, tlsCfg)
		if err != nil {
			raw.Close()
			return nil, err
		}
		raw = tc
	}
	c, err := serverHandshake(raw, id)
	if err != nil {
		raw.Close()
		return nil, err
	}
	return c, nil
}

func newConn(raw net.Conn) *Conn {
	return &Conn{conn: raw, r: bufio.NewReader(raw), w: bufio.NewWriter(raw), maxFrame: DefaultMaxFrame}
}

func clientHandshake(raw net.Conn, id Identity) (*Conn, error) {
	keys, err := id.keyring()
	if err != nil {
		return nil, err
	}
	raw.SetDeadline(time.Now().Add(HandshakeTimeout))
	defer raw.SetDeadline(time.Time{})
	c := newConn(raw)
	mine, err := newHello(id.Node)
	if err != nil {
		return nil, err
	}
	if err := c.writeFlush(mine.encode()); err != nil {
		return nil, err
	}
	theirs, err := readHello(c.r)
	if err != nil {
		return nil, err
	}
	serverProof, err := readFrameBytes(c.r, 64)
	if err != nil {
		return nil, err
	}
	if verifyProof(keys, serverProof, "server", mine, theirs) == nil {
		return nil, fmt.Errorf("%w: %s does not hold a key of our cluster keyring", ErrAuth, theirs.node)
	}
	primary := keys[0]
	if err := c.writeFlush(proof(primary, "client", mine, theirs)); err != nil {
		return nil, err
	}
	// The session key derives from the key the dialer proved with: the listener learns which one that
	// is by verifying the proof, so both ends agree even when their primaries differ.
	c.session, c.peer = sessionKey(primary, mine, theirs), theirs.node
	return c, nil
}

func serverHandshake(raw net.Conn, id Identity) (*Conn, error) {
	keys, err := id.keyring()
	if err != nil {
		return nil, err
	}
	raw.SetDeadline(time.Now().Add(HandshakeTimeout))
	defer raw.SetDeadline(time.Time{})
	c := newConn(raw)
	if first, err := c.r.Peek(1); err == nil && first[0] == tlsRecordType {
		return nil, fmt.Errorf("%w: %s speaks TLS but this node has no peer TLS configured (set --peer-tls-cert and "+
			"--peer-tls-key on every node)", ErrProtocol, raw.RemoteAddr())
	}
	theirs, err := readHello(c.r)
	if err != nil {
		return nil, err
	}
	mine, err := newHello(id.Node)
	if err != nil {
		return nil, err
	}
	if err := writeFrameBytes(c.w, mine.encode()); err != nil {
		return nil, err
	}
	if err := c.writeFlush(proof(keys[0], "server", theirs, mine)); err != nil {
		return nil, err
	}
	clientProof, err := readFrameBytes(c.r, 64)
	if err != nil {
		return nil, err
	}
	used := verifyProof(keys, clientProof, "client", theirs, mine)
	if used == nil {
		return nil, fmt.Errorf("%w: %s does not hold a key of our cluster keyring", ErrAuth, theirs.node)
	}
	c.session, c.peer = sessionKey(used, theirs, mine), theirs.node
	return c, nil
}

func (c *Conn) writeFlush(payload []byte) error {
	if err := writeFrameBytes(c.w, payload); err != nil {
		return err
	}
	return c.w.Flush()
}

// Send writes one authenticated frame.
func (c *Conn) Send(payload []byte) error {
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	c.sendCtr++
	return c.writeFlush(sealFrame(c.session, c.sendCtr, payload))
}

// Recv reads one frame and checks its integrity; any error means the stream must be closed.
func (c *Conn) Recv() ([]byte, error) {
	sealed, err := readFrameBytes(c.r, c.maxFrame)
	if err != nil {
		return nil, err
	}
	c.recvCtr++
	return openFrame(c.session, c.recvCtr, sealed)
}
