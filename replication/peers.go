package replication

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meridian-sync/meridian/replication/transport"
	"github.com/meridian-sync/meridian/replication/wire"
)

// sender owns the outbound stream to one peer: it dials (with backoff), sends queued frames, and
// redials after an error. Frames queued while disconnected are dropped: the core retransmits.
type sender struct {
	node   *Node
	peer   string
	mu     sync.Mutex
	addr   string
	conn   *transport.Conn // the current stream, nil while dialling
	frames chan []byte
	cancel context.CancelFunc
}

func (n *Node) startSender(ctx context.Context, peer, addr string) *sender {
	ctx, cancel := context.WithCancel(ctx)
	s := &sender{node: n, peer: peer, addr: addr, frames: make(chan []byte, n.cfg.SendBuffer), cancel: cancel}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		s.run(ctx)
	}()
	return s
}

func (s *sender) setAddr(addr string) {
	s.mu.Lock()
	s.addr = addr
	s.mu.Unlock()
}

// reset closes the current stream, so the next frame goes out on a fresh connection. Called when
// the peer fell silent: a stream across a cut link would otherwise sit in TCP retransmission
// backoff (tens of seconds after a long cut) and hold back everything queued on it after the heal.
func (s *sender) reset() {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

func (s *sender) enqueue(frame []byte) {
	select {
	case s.frames <- frame:
	default:
		s.node.framesDropped.Add(1)
	}
}

func (s *sender) run(ctx context.Context) {
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		s.mu.Lock()
		addr := s.addr
		s.mu.Unlock()
		dialCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := transport.Dial(dialCtx, addr, s.node.identity(), s.node.cfg.TLS)
		cancel()
		if err != nil {
			s.node.log.Debug("dial peer failed", "peer", s.peer, "addr", addr, "err", err)
			s.drain()
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			// Short: after a heal the stream should be back within about a second.
			backoff = min(backoff*2, time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		s.mu.Lock()
		s.conn = c
		s.mu.Unlock()
		s.pump(ctx, c)
		s.mu.Lock()
		s.conn = nil
		s.mu.Unlock()
		c.Close()
	}
}

// pump sends frames until the context ends or the connection fails.
func (s *sender) pump(ctx context.Context, c *transport.Conn) {
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-s.frames:
			if err := c.Send(f); err != nil {
				s.node.log.Debug("send to peer failed", "peer", s.peer, "err", err)
				return
			}
			s.node.bytesSent.Add(uint64(transport.WireSize(len(f))))
		}
	}
}

// drain discards frames queued while the peer is unreachable: they would be stale by reconnect.
func (s *sender) drain() {
	for {
		select {
		case <-s.frames:
			s.node.framesDropped.Add(1)
		default:
			return
		}
	}
}

// serve accepts peer streams until the listener closes.
func (n *Node) serve(ctx context.Context) {
	for {
		raw, err := n.listener.Accept()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				n.log.Warn("peer listener failed", "err", err)
			}
			return
		}
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			n.receive(ctx, raw)
		}()
	}
}

// receive authenticates one inbound stream and feeds its messages to the core.
func (n *Node) receive(ctx context.Context, raw net.Conn) {
	c, err := transport.Accept(raw, n.identity(), n.cfg.TLS)
	if err != nil {
		n.authFailures.Add(1)
		n.log.Warn("peer handshake refused", "remote", raw.RemoteAddr().String(), "err", err)
		return
	}
	n.trackConn(c, true)
	defer n.trackConn(c, false)
	defer c.Close()
	for {
		payload, err := c.Recv()
		if err != nil {
			if ctx.Err() == nil {
				n.log.Debug("peer stream ended", "peer", c.Peer(), "err", err)
			}
			return
		}
		n.bytesReceived.Add(uint64(transport.WireSize(len(payload))))
		m, err := wire.Decode(payload, wire.DefaultLimits)
		if err != nil {
			n.badMessages.Add(1)
			n.log.Warn("malformed peer message; closing the stream", "peer", c.Peer(), "err", err)
			return
		}
		m.From = c.Peer()
		select {
		case n.inbound <- m:
		case <-ctx.Done():
			return
		}
	}
}

func (n *Node) identity() transport.Identity {
	return transport.Identity{Node: n.cfg.ID(), Key: n.cfg.ClusterKey, Keys: n.cfg.ClusterKeys}
}

// trackConn remembers inbound connections so shutdown can close them.
func (n *Node) trackConn(c *transport.Conn, open bool) {
	n.connMu.Lock()
	defer n.connMu.Unlock()
	if open {
		n.conns[c] = struct{}{}
	} else {
		delete(n.conns, c)
	}
}

type counter = atomic.Uint64
