package transport

import (
	"errors"
	"net"
	"testing"
)

// ringPair runs both handshakes over an in-memory connection with a keyring on each side.
func ringPair(t *testing.T, clientKeys, serverKeys [][]byte) (*Conn, *Conn, error, error) {
	t.Helper()
	a, b := net.Pipe()
	type result struct {
		c   *Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := serverHandshake(b, Identity{Node: "server", Keys: func() [][]byte { return serverKeys }})
		if err != nil {
			b.Close()
		}
		done <- result{c, err}
	}()
	cc, cerr := clientHandshake(a, Identity{Node: "client", Keys: func() [][]byte { return clientKeys }})
	if cerr != nil {
		a.Close()
	}
	s := <-done
	return cc, s.c, cerr, s.err
}

// exchange checks that a frame sent by the client passes the server's integrity check: both ends derived
// the same session key.
func exchange(t *testing.T, c, s *Conn) {
	t.Helper()
	go c.Send([]byte("ping"))
	got, err := s.Recv()
	if err != nil || string(got) != "ping" {
		t.Fatalf("recv %q, %v", got, err)
	}
}

func TestKeyringHandshakeFollowsARotation(t *testing.T) {
	old, next := []byte("old-cluster-key-0123456789abcdef"), []byte("new-cluster-key-0123456789abcdef")
	steps := []struct {
		name           string
		client, server [][]byte
	}{
		{"before: both hold old", [][]byte{old}, [][]byte{old}},
		{"installed: new is secondary on the client only", [][]byte{old, next}, [][]byte{old}},
		{"installed everywhere", [][]byte{old, next}, [][]byte{old, next}},
		{"use reached the client first", [][]byte{next, old}, [][]byte{old, next}},
		{"use reached the server first", [][]byte{old, next}, [][]byte{next, old}},
		{"after remove", [][]byte{next}, [][]byte{next}},
	}
	for _, st := range steps {
		c, s, cerr, serr := ringPair(t, st.client, st.server)
		if cerr != nil || serr != nil {
			t.Fatalf("%s: client %v, server %v", st.name, cerr, serr)
		}
		exchange(t, c, s)
	}
}

func TestKeyringRefusesANodeHoldingOnlyARemovedKey(t *testing.T) {
	old, next := []byte("old-cluster-key-0123456789abcdef"), []byte("new-cluster-key-0123456789abcdef")
	// The stale node dials: the cluster node's proof (new key) fails at the stale node.
	if _, _, cerr, _ := ringPair(t, [][]byte{old}, [][]byte{next}); !errors.Is(cerr, ErrAuth) {
		t.Fatalf("stale dialer: %v, want ErrAuth", cerr)
	}
	// A stale node that skips checking the listener's proof still fails at the listener.
	a, b := net.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := serverHandshake(b, Identity{Node: "server", Key: next})
		b.Close()
		done <- err
	}()
	c := newConn(a)
	mine, _ := newHello("stale")
	c.writeFlush(mine.encode())
	theirs, err := readHello(c.r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readFrameBytes(c.r, 64); err != nil {
		t.Fatal(err)
	}
	c.writeFlush(proof(old, "client", mine, theirs))
	if err := <-done; !errors.Is(err, ErrAuth) {
		t.Fatalf("listener accepted a proof under a removed key: %v", err)
	}
	a.Close()
}

func TestEmptyKeyringIsRefused(t *testing.T) {
	_, _, cerr, serr := ringPair(t, nil, [][]byte{[]byte("k")})
	if !errors.Is(cerr, ErrAuth) {
		t.Fatalf("a dialer without keys: %v, want ErrAuth", cerr)
	}
	_ = serr
	if _, err := (Identity{Node: "n"}).keyring(); !errors.Is(err, ErrAuth) {
		t.Fatalf("an identity without a key: %v, want ErrAuth", err)
	}
}
