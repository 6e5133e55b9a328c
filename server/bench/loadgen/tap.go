package main

import (
	"net"
	"sync"
)

// tapConn is the client's TCP connection as gorilla sees it. During the handshake it hands gorilla one byte
// per Read, so gorilla's buffered reader never holds bytes past the frame it asked for; what the tap read
// from the socket beyond that stays in the tap. The fan-out then reads the socket itself (receiver.go),
// starting with those leftover bytes, and gorilla only writes.
type tapConn struct {
	net.Conn
	mu      sync.Mutex
	pending []byte // read from the socket, not yet handed to gorilla
	whole   bool   // past the handshake, gorilla reads this connection itself: no more one-byte reads
	scratch [512]byte
}

func (t *tapConn) Read(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	if len(t.pending) == 0 {
		if t.whole {
			return t.Conn.Read(p)
		}
		n, err := t.Conn.Read(t.scratch[:])
		if n == 0 {
			return 0, err
		}
		t.pending = t.scratch[:n]
	}
	p[0] = t.pending[0]
	t.pending = t.pending[1:]
	return 1, nil
}

// passThrough lets gorilla read in whole buffers from now on: for connections it goes on reading.
func (t *tapConn) passThrough() {
	t.mu.Lock()
	t.whole = true
	t.mu.Unlock()
}

// detach returns the bytes the tap read that gorilla has not consumed; the caller reads the socket from now
// on.
func (t *tapConn) detach() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	rest := append([]byte(nil), t.pending...)
	t.pending = nil
	return rest
}
