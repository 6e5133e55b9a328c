package realproc

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Proxy forwards peer streams to one node and cuts those of blocked peers. Safe for concurrent use.
type Proxy struct {
	ln      net.Listener
	backend string

	mu       sync.Mutex
	blocked  map[string]bool
	isolated bool
	conns    map[net.Conn]string // open client-side connections and the peer id each carries
	closed   bool
	wg       sync.WaitGroup
}

// NewProxy listens on a free loopback port and forwards to backend.
func NewProxy(backend string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, backend: backend, blocked: map[string]bool{}, conns: map[net.Conn]string{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address peers should dial (the node's --peer-advertise).
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Block cuts the streams of the given peers to this node now and refuses their new ones.
func (p *Proxy) Block(peers ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, id := range peers {
		p.blocked[id] = true
	}
	p.cutLocked()
}

// Isolate cuts (on) or restores (off) the streams of every peer to this node.
func (p *Proxy) Isolate(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.isolated = on
	p.cutLocked()
}

// Heal lifts every block and the isolation.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blocked, p.isolated = map[string]bool{}, false
}

// Close stops the proxy and closes every stream.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) cutLocked() {
	for c, id := range p.conns {
		if p.isolated || p.blocked[id] {
			c.Close()
		}
	}
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.forward(c)
		}()
	}
}

// forward reads the dialer's hello (to learn its id), then copies both ways until either side ends.
func (p *Proxy) forward(client net.Conn) {
	defer client.Close()
	_ = client.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(client)
	hello, id, err := readHello(r)
	if err != nil {
		return
	}
	_ = client.SetReadDeadline(time.Time{})
	p.mu.Lock()
	if p.closed || p.isolated || p.blocked[id] {
		p.mu.Unlock()
		return
	}
	p.conns[client] = id
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, client)
		p.mu.Unlock()
	}()
	server, err := net.DialTimeout("tcp", p.backend, 5*time.Second)
	if err != nil {
		return
	}
	defer server.Close()
	if _, err := server.Write(hello); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(server, r); server.Close(); done <- struct{}{} }()
	go func() { _, _ = io.Copy(client, server); client.Close(); done <- struct{}{} }()
	<-done
	<-done
}

// readHello reads the first handshake frame of a peer stream (replication/PROTOCOL.md §1.1: uvarint
// length, then "MRP", version byte, string node id, 32-byte nonce) and returns its bytes and the id.
func readHello(r *bufio.Reader) (raw []byte, id string, err error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, "", err
	}
	if n < 3+1+1+32 || n > 4096 {
		return nil, "", fmt.Errorf("hello of %d bytes", n)
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return nil, "", err
	}
	if string(payload[:3]) != "MRP" {
		return nil, "", errors.New("not a peer stream")
	}
	idLen, k := binary.Uvarint(payload[4:])
	if k <= 0 || uint64(len(payload)-4-k) < idLen {
		return nil, "", errors.New("bad node id")
	}
	id = string(payload[4+k : 4+k+int(idLen)])
	return append(binary.AppendUvarint(nil, n), payload...), id, nil
}
