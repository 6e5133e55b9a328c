package transport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
)

// pipePair runs both handshakes over an in-memory connection.
func pipePair(t *testing.T, clientKey, serverKey []byte) (*Conn, *Conn, error, error) {
	t.Helper()
	a, b := net.Pipe()
	type result struct {
		c   *Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := serverHandshake(b, Identity{Node: "server", Key: serverKey})
		if err != nil {
			b.Close()
		}
		done <- result{c, err}
	}()
	cc, cerr := clientHandshake(a, Identity{Node: "client", Key: clientKey})
	if cerr != nil {
		a.Close()
	}
	s := <-done
	return cc, s.c, cerr, s.err
}

func TestHandshakeAndFrames(t *testing.T) {
	key := []byte("0123456789abcdef")
	c, s, cerr, serr := pipePair(t, key, key)
	if cerr != nil || serr != nil {
		t.Fatalf("handshake: client %v, server %v", cerr, serr)
	}
	if c.Peer() != "server" || s.Peer() != "client" {
		t.Fatalf("peers %q %q", c.Peer(), s.Peer())
	}
	go func() {
		c.Send([]byte("one"))
		c.Send([]byte("two"))
	}()
	for _, want := range []string{"one", "two"} {
		got, err := s.Recv()
		if err != nil || string(got) != want {
			t.Fatalf("recv %q, %v; want %q", got, err, want)
		}
	}
}

func TestWrongKeyIsRefused(t *testing.T) {
	_, _, cerr, serr := pipePair(t, []byte("key-one-key-one!"), []byte("key-two-key-two!"))
	if !errors.Is(cerr, ErrAuth) {
		t.Fatalf("client with the wrong key: %v, want ErrAuth", cerr)
	}
	_ = serr // the server sees the connection closed before the client's proof
}

func TestTamperedOrReplayedFrameIsRefused(t *testing.T) {
	session := []byte("session")
	sealed := sealFrame(session, 1, []byte("payload"))
	if _, err := openFrame(session, 1, sealed); err != nil {
		t.Fatal(err)
	}
	if _, err := openFrame(session, 2, sealed); !errors.Is(err, ErrAuth) {
		t.Fatal("a frame replayed at another position must fail")
	}
	sealed[0] ^= 1
	if _, err := openFrame(session, 1, sealed); !errors.Is(err, ErrAuth) {
		t.Fatal("an altered frame must fail")
	}
}

func TestDialOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	key := []byte("tcp-key")
	got := make(chan string, 1)
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			return
		}
		c, err := Accept(raw, Identity{Node: "b", Key: key}, nil)
		if err != nil {
			got <- err.Error()
			return
		}
		p, _ := c.Recv()
		got <- c.Peer() + ":" + string(p)
	}()
	c, err := Dial(context.Background(), ln.Addr().String(), Identity{Node: "a", Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Send([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	if g := <-got; g != "a:hi" {
		t.Fatalf("server got %q", g)
	}
}

func TestHelloValidation(t *testing.T) {
	h := hello{version: Version, node: "n"}
	if _, err := decodeHello(h.encode()); err != nil {
		t.Fatal(err)
	}
	bad := hello{version: Version + 1, node: "n"}
	if _, err := decodeHello(bad.encode()); !errors.Is(err, ErrProtocol) {
		t.Fatal("another version must be refused")
	}
	if _, err := decodeHello([]byte("MRP\x01\x00")); !errors.Is(err, ErrProtocol) {
		t.Fatal("an empty node id must be refused")
	}
}

func FuzzDecodeHello(f *testing.F) {
	f.Add(hello{version: Version, node: "eu/n1"}.encode())
	f.Add([]byte("MRP"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := decodeHello(b)
		if err != nil {
			return
		}
		if !bytes.Equal(h.encode(), b) {
			t.Fatalf("hello does not round-trip")
		}
	})
}

// FuzzRecv feeds arbitrary bytes to a receiving stream: errors, never panics or huge allocations.
func FuzzRecv(f *testing.F) {
	session := []byte("s")
	var valid bytes.Buffer
	writeFrameBytes(&valid, sealFrame(session, 1, []byte("x")))
	f.Add(valid.Bytes())
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		c := &Conn{r: bufio.NewReader(bytes.NewReader(b)), session: session, maxFrame: 1 << 16}
		for i := 0; i < 4; i++ {
			if _, err := c.Recv(); err != nil {
				return
			}
		}
	})
}
