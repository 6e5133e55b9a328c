package transport

import (
	"bufio"
	"context"
	"crypto/hmac"
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

// Dial connects to a peer and runs the client side of the handshake. tlsCfg may be nil.
func Dial(ctx context.Context, addr string, id Identity, tlsCfg *tls.Config) (*Conn, error) {
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if tlsCfg != nil {
		raw = tls.Client(raw, tlsCfg)
	}
	c, err := clientHandshake(raw, id)
	if err != nil {
		raw.Close()
		return nil, err
	}
	return c, nil
}

// Accept runs the server side of the handshake on an accepted connection. tlsCfg may be nil.
func Accept(raw net.Conn, id Identity, tlsCfg *tls.Config) (*Conn, error) {
	if tlsCfg != nil {
		raw = tls.Server(raw, tlsCfg)
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
	if !hmac.Equal(serverProof, proof(id.Key, "server", mine, theirs)) {
		return nil, fmt.Errorf("%w: %s does not hold the cluster key", ErrAuth, theirs.node)
	}
	if err := c.writeFlush(proof(id.Key, "client", mine, theirs)); err != nil {
		return nil, err
	}
	c.session, c.peer = sessionKey(id.Key, mine, theirs), theirs.node
	return c, nil
}

func serverHandshake(raw net.Conn, id Identity) (*Conn, error) {
	raw.SetDeadline(time.Now().Add(HandshakeTimeout))
	defer raw.SetDeadline(time.Time{})
	c := newConn(raw)
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
	if err := c.writeFlush(proof(id.Key, "server", theirs, mine)); err != nil {
		return nil, err
	}
	clientProof, err := readFrameBytes(c.r, 64)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(clientProof, proof(id.Key, "client", theirs, mine)) {
		return nil, fmt.Errorf("%w: %s does not hold the cluster key", ErrAuth, theirs.node)
	}
	c.session, c.peer = sessionKey(id.Key, theirs, mine), theirs.node
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
