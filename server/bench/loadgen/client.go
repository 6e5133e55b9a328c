package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/crdt"
)

// Small buffers: the memory scenarios hold 10,000 of these connections in one process. Connections go through
// a tapConn so that the fan-out can read their sockets itself after the handshake (receiver.go).
var dialer = websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024, HandshakeTimeout: 30 * time.Second,
	NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &tapConn{Conn: c}, nil
	}}

// emptyUpdate is a Yjs v1 update with no structs and an empty delete set: the step 2 of a client that has
// nothing yet.
var emptyUpdate = []byte{0, 0}

// benchClient is one simulated editor: a WebSocket speaking the target's framing, and a Yjs document it types
// into (only its own edits: applying everyone else's would cost the generator CPU the server should get).
type benchClient struct {
	id   int
	doc  string
	wire wireFormat
	conn *websocket.Conn
	tap  *tapConn // the socket under conn

	ydoc    *crdt.Doc
	text    *crdt.Text
	pending []byte // the update the last edit emitted
	seq     int
}

// dialClient connects to doc on a running target and completes the sync handshake: it returns once the
// server's step 2 (the document's state) has arrived.
func dialClient(ctx context.Context, t target, addr, doc string, id int) (*benchClient, error) {
	conn, resp, err := dialer.DialContext(ctx, t.docURL(addr, doc), http.Header{})
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	tap, _ := conn.NetConn().(*tapConn)
	c := &benchClient{id: id, doc: doc, wire: t.wire, conn: conn, tap: tap}
	if err := c.handshake(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%s: handshake: %w", doc, err)
	}
	return c, nil
}

func (c *benchClient) handshake(ctx context.Context) error {
	if c.wire.docEnvelope {
		if err := c.write(c.wire.authFrame(c.doc)); err != nil {
			return err
		}
	}
	if err := c.write(c.wire.syncFrame(c.doc, syncStep1, []byte{0})); err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(30 * time.Second)
	}
	_ = c.conn.SetReadDeadline(deadline)
	defer func() { _ = c.conn.SetReadDeadline(time.Time{}) }()
	for {
		_, frame, err := c.conn.ReadMessage()
		if err != nil {
			return err
		}
		m, err := c.wire.decode(frame)
		if err != nil {
			return err
		}
		switch {
		case !m.isSync:
		case m.syncType == syncStep1:
			// Answer like a stock client: our (empty) state.
			if err := c.write(c.wire.syncFrame(c.doc, syncStep2, emptyUpdate)); err != nil {
				return err
			}
		case m.syncType == syncStep2:
			return nil
		}
	}
}

func (c *benchClient) write(frame []byte) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.conn.WriteMessage(websocket.BinaryMessage, frame)
}

// typeMarker appends the marker of this client's next sequence number to its text and returns the sync update
// frame carrying that edit, and the sequence number.
func (c *benchClient) typeMarker() ([]byte, int, error) {
	c.ensureDoc()
	c.seq++
	if c.seq > maxSeq {
		return nil, 0, errors.New("loadgen: sequence numbers exhausted")
	}
	c.pending = nil
	if err := c.text.Insert(c.text.Len(), string(appendMarker(nil, c.id, c.seq)), nil); err != nil {
		return nil, 0, err
	}
	return c.wire.syncFrame(c.doc, syncUpdate, c.pending), c.seq, nil
}

// readUpdates reads until the connection ends, passing each received sync update's payload to onUpdate. The
// payload is only valid during the call: messages are read into one reused buffer, which keeps the generator's
// cost per delivery (its allocations and their garbage collection) low.
func (c *benchClient) readUpdates(onUpdate func(payload []byte)) error {
	if c.tap != nil {
		c.tap.passThrough()
	}
	var buf bytes.Buffer
	for {
		_, r, err := c.conn.NextReader()
		if err != nil {
			return err
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return err
		}
		m, err := c.wire.decode(buf.Bytes())
		if err != nil {
			return err
		}
		if m.isSync && m.syncType == syncUpdate {
			onUpdate(m.payload)
		}
	}
}

// dialMany connects n clients, docOf(i) naming client i's document, with a bounded number of handshakes in
// flight.
func dialMany(ctx context.Context, t target, addr string, n int, docOf func(i int) string) ([]*benchClient, error) {
	clients := make([]*benchClient, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 64)
	for i := range n {
		sem <- struct{}{}
		go func() {
			defer func() { <-sem }()
			c, err := dialClient(ctx, t, addr, docOf(i), i)
			clients[i] = c
			errs <- err
		}()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	if first != nil {
		closeAll(clients)
		return nil, first
	}
	return clients, nil
}

func closeAll(clients []*benchClient) {
	for _, c := range clients {
		if c != nil {
			c.conn.Close()
		}
	}
}

// typeChar appends one character to the client's text and returns the sync update frame of that edit.
func (c *benchClient) typeChar(ch byte) ([]byte, error) {
	c.ensureDoc()
	c.pending = nil
	if err := c.text.Insert(c.text.Len(), string(ch), nil); err != nil {
		return nil, err
	}
	return c.wire.syncFrame(c.doc, syncUpdate, c.pending), nil
}

func (c *benchClient) ensureDoc() {
	if c.ydoc == nil {
		c.ydoc = crdt.NewDoc(crdt.WithClientID(uint64(c.id) + 1))
		c.ydoc.OnUpdate(func(u []byte, _ any) { c.pending = u })
		c.text = c.ydoc.GetText("text")
	}
}
