package realproc

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/replication/transport"
)

var key = []byte("proxy test cluster key")

// backend accepts authenticated peer streams and echoes nothing: it hands each received payload to got.
func backend(t *testing.T) (addr string, got chan []byte) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan []byte, 16)
	go func() {
		for {
			raw, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				c, err := transport.Accept(raw, transport.Identity{Node: "server", Key: key}, nil)
				if err != nil {
					return
				}
				defer c.Close()
				for {
					p, err := c.Recv()
					if err != nil {
						return
					}
					got <- p
				}
			}()
		}
	}()
	return ln.Addr().String(), got
}

func dial(addr, id string) (*transport.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return transport.Dial(ctx, addr, transport.Identity{Node: id, Key: key}, nil)
}

func received(got chan []byte, want string) bool {
	select {
	case p := <-got:
		return string(p) == want
	case <-time.After(2 * time.Second):
		return false
	}
}

func TestProxyCutsOnlyBlockedPeers(t *testing.T) {
	addr, got := backend(t)
	p, err := NewProxy(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	a, err := dial(p.Addr(), "eu/n1")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := dial(p.Addr(), "us/n1")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.Send([]byte("a1")); err != nil || !received(got, "a1") {
		t.Fatalf("a stream through the proxy does not flow: %v", err)
	}
	p.Block("eu/n1")
	// eu's stream is cut: a send may still be buffered locally, but nothing arrives and new dials fail.
	_ = a.Send([]byte("a2"))
	if received(got, "a2") {
		t.Fatal("a blocked peer's frame got through")
	}
	if c, err := dial(p.Addr(), "eu/n1"); err == nil {
		c.Close()
		t.Fatal("a blocked peer could open a new stream")
	}
	if err := b.Send([]byte("b1")); err != nil || !received(got, "b1") {
		t.Fatalf("an unblocked peer was cut too: %v", err)
	}
	p.Heal()
	a2, err := dial(p.Addr(), "eu/n1")
	if err != nil {
		t.Fatalf("after Heal: %v", err)
	}
	defer a2.Close()
	if err := a2.Send([]byte("a3")); err != nil || !received(got, "a3") {
		t.Fatal("after Heal the peer's new stream does not flow")
	}
	p.Isolate(true)
	if c, err := dial(p.Addr(), "us/n1"); err == nil {
		c.Close()
		t.Fatal("an isolated node accepted a stream")
	}
}

func TestReadHelloRefusesWhatIsNotAPeerStream(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":     nil,
		"http":      []byte("GET / HTTP/1.1\r\n\r\n"),
		"too short": {5, 'M', 'R', 'P', 1, 0},
		"bad magic": append([]byte{40}, bytes.Repeat([]byte{'x'}, 40)...),
		"id overrun": append([]byte{40, 'M', 'R', 'P', 1, 200},
			bytes.Repeat([]byte{0}, 35)...),
	} {
		if _, _, err := readHello(bufio.NewReader(bytes.NewReader(b))); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzReadHello(f *testing.F) {
	f.Add(append([]byte{38, 'M', 'R', 'P', 1, 1, 'a'}, make([]byte, 32)...))
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		raw, id, err := readHello(bufio.NewReader(bytes.NewReader(b)))
		if err != nil {
			return
		}
		if !bytes.HasPrefix(b, raw) || len(id) > len(raw) {
			t.Fatalf("hello %q: raw %q is not the frame read, id %q", b, raw, id)
		}
	})
}
