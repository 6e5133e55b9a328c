package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// swappablePool is a CA pool in force that a test replaces, as the server's CA bundle reloader does.
type swappablePool struct{ p atomic.Pointer[x509.CertPool] }

func newSwappablePool(cas ...*testCA) *swappablePool {
	s := &swappablePool{}
	s.set(cas...)
	return s
}

func (s *swappablePool) set(cas ...*testCA) {
	pool := x509.NewCertPool()
	for _, ca := range cas {
		pool.AddCert(ca.cert)
	}
	s.p.Store(pool)
}

func (s *swappablePool) current() *x509.CertPool { return s.p.Load() }

func certFunc(c *tls.Certificate) func() *tls.Certificate {
	return func() *tls.Certificate { return c }
}

// peerStream dials a listener configured with listenCfg using dialCfg and reports both ends' errors: nil,
// nil when a stream carried a frame over TLS.
func peerStream(t *testing.T, listenCfg, dialCfg *tls.Config) (dialErr, listenErr error) {
	t.Helper()
	key := []byte("tls-cluster-key-0123456789")
	addr, result := acceptOne(t, Identity{Node: "b", Key: key}, listenCfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, Identity{Node: "a", Key: key}, dialCfg)
	if err != nil {
		return err, <-result
	}
	defer c.Close()
	if err := c.Send([]byte("over tls")); err != nil {
		return err, <-result
	}
	return nil, <-result
}

func TestListenerVerifiesClientsAgainstTheCAPoolInForce(t *testing.T) {
	ca1, ca2 := newTestCA(t), newTestCA(t)
	listenerPool := newSwappablePool(ca1)
	listener := TLSConfig(certFunc(ca1.issue(t, "listener")), listenerPool.current)
	// The dialers trust the listener's CA; only their own certificates differ.
	fromCA1 := TLSConfig(certFunc(ca1.issue(t, "dialer of CA1")), fixedPool(ca1.pool))
	fromCA2 := TLSConfig(certFunc(ca2.issue(t, "dialer of CA2")), fixedPool(ca1.pool))

	if _, err := peerStream(t, listener, fromCA2); !errors.Is(err, ErrTLS) {
		t.Fatalf("listener trusting CA1 only accepted a CA2 client: %v", err)
	}
	listenerPool.set(ca1, ca2)
	if dialErr, err := peerStream(t, listener, fromCA2); dialErr != nil || err != nil {
		t.Fatalf("after CA2 joined the pool, a CA2 client: dial %v, listener %v", dialErr, err)
	}
	if dialErr, err := peerStream(t, listener, fromCA1); dialErr != nil || err != nil {
		t.Fatalf("with CA1+CA2, a CA1 client: dial %v, listener %v", dialErr, err)
	}
	listenerPool.set(ca2)
	if _, err := peerStream(t, listener, fromCA1); !errors.Is(err, ErrTLS) {
		t.Fatalf("listener trusting CA2 only accepted a CA1 client: %v", err)
	}
	if dialErr, err := peerStream(t, listener, fromCA2); dialErr != nil || err != nil {
		t.Fatalf("with CA2 only, a CA2 client: dial %v, listener %v", dialErr, err)
	}
}

func TestDialerVerifiesListenersAgainstTheCAPoolInForce(t *testing.T) {
	ca1, ca2 := newTestCA(t), newTestCA(t)
	both := x509.NewCertPool()
	both.AddCert(ca1.cert)
	both.AddCert(ca2.cert)
	// The listeners trust every dialer; only their own certificates differ.
	listenerOfCA1 := TLSConfig(certFunc(ca1.issue(t, "listener of CA1")), fixedPool(both))
	listenerOfCA2 := TLSConfig(certFunc(ca2.issue(t, "listener of CA2")), fixedPool(both))
	dialerPool := newSwappablePool(ca1)
	dialer := TLSConfig(certFunc(ca1.issue(t, "dialer")), dialerPool.current)

	dialErr, _ := peerStream(t, listenerOfCA2, dialer)
	if !errors.Is(dialErr, ErrTLS) || !strings.Contains(dialErr.Error(), "unknown authority") {
		t.Fatalf("dialer trusting CA1 only, a CA2 listener: %v, want ErrTLS naming the unknown authority", dialErr)
	}
	dialerPool.set(ca1, ca2)
	if dialErr, err := peerStream(t, listenerOfCA2, dialer); dialErr != nil || err != nil {
		t.Fatalf("after CA2 joined the pool, a CA2 listener: dial %v, listener %v", dialErr, err)
	}
	dialerPool.set(ca2)
	if dialErr, _ := peerStream(t, listenerOfCA1, dialer); !errors.Is(dialErr, ErrTLS) {
		t.Fatalf("dialer trusting CA2 only accepted a CA1 listener: %v", dialErr)
	}
	if dialErr, err := peerStream(t, listenerOfCA2, dialer); dialErr != nil || err != nil {
		t.Fatalf("with CA2 only, a CA2 listener: dial %v, listener %v", dialErr, err)
	}
}

// The dialer's verification moved out of crypto/tls into VerifyConnection to follow the pool: it must refuse
// every listener certificate crypto/tls refuses, in particular one that names another host (an IP address
// is the usual peer address, and crypto/tls sends no SNI for it).
func TestTLSDialerWithAChangingPoolChecksNamesUsagesAndDates(t *testing.T) {
	ca := newTestCA(t)
	dialer := TLSConfig(certFunc(ca.issue(t, "dialer")), newSwappablePool(ca).current)
	for name, tweak := range map[string]func(*x509.Certificate){
		"another IP address": func(c *x509.Certificate) { c.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 2)} },
		"a DNS name only": func(c *x509.Certificate) {
			c.IPAddresses, c.DNSNames = nil, []string{"localhost"}
		},
		"the address in the common name only": func(c *x509.Certificate) {
			c.IPAddresses, c.Subject.CommonName = nil, "127.0.0.1"
		},
		"clientAuth usage only": func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth} },
		"expired":               func(c *x509.Certificate) { c.NotAfter = time.Now().Add(-time.Minute) },
		"not yet valid":         func(c *x509.Certificate) { c.NotBefore = time.Now().Add(time.Hour) },
	} {
		t.Run(name, func(t *testing.T) {
			listener := TLSConfig(certFunc(ca.issueWith(t, "listener", tweak)), fixedPool(ca.pool))
			if dialErr, _ := peerStream(t, listener, dialer); !errors.Is(dialErr, ErrTLS) {
				t.Fatalf("a listener certificate with %s was accepted: %v", name, dialErr)
			}
		})
	}
	listener := TLSConfig(certFunc(ca.issueWith(t, "listener", func(c *x509.Certificate) { c.ExtKeyUsage = nil })), fixedPool(ca.pool))
	if dialErr, err := peerStream(t, listener, dialer); dialErr != nil || err != nil {
		t.Fatalf("a certificate without extended usages (any usage) was refused: dial %v, listener %v", dialErr, err)
	}
}

func TestANilCAPoolRefusesRatherThanTrustingTheSystemRoots(t *testing.T) {
	ca := newTestCA(t)
	none := func() *x509.CertPool { return nil }
	listener := TLSConfig(certFunc(ca.issue(t, "listener")), none)
	dialer := TLSConfig(certFunc(ca.issue(t, "dialer")), fixedPool(ca.pool))
	if _, err := peerStream(t, listener, dialer); !errors.Is(err, ErrTLS) {
		t.Fatalf("listener without a pool: %v, want ErrTLS", err)
	}
	listener = TLSConfig(certFunc(ca.issue(t, "listener")), fixedPool(ca.pool))
	if dialErr, _ := peerStream(t, listener, TLSConfig(certFunc(ca.issue(t, "dialer")), none)); !errors.Is(dialErr, ErrTLS) {
		t.Fatalf("dialer without a pool: %v, want ErrTLS", dialErr)
	}
}

func TestParseCABundleRefusesWhatItCannotFullyRead(t *testing.T) {
	ca1, ca2 := newTestCA(t), newTestCA(t)
	pemOf := func(ca *testCA) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}))
	}
	full := "# the cluster's CAs\n" + pemOf(ca1) + "# next\n" + pemOf(ca2)
	b, err := ParseCABundle("ca.pem", []byte(full))
	if err != nil || len(b.Certs) != 2 || len(b.Subjects()) != 2 {
		t.Fatalf("a bundle of two CAs with comments: %v, %+v", err, b)
	}
	if _, err := b.Certs[1].Verify(x509.VerifyOptions{Roots: b.Pool}); err != nil {
		t.Fatalf("the pool does not hold the second CA: %v", err)
	}
	for name, bundle := range map[string]string{
		"empty":           "",
		"garbage":         "this is not a certificate\n",
		"a key only":      string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})),
		"cut short":       pemOf(ca1) + pemOf(ca2)[:200],
		"a bad DER block": pemOf(ca1) + string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("nope")})),
	} {
		if _, err := ParseCABundle("ca.pem", []byte(bundle)); err == nil || !strings.Contains(err.Error(), "ca.pem") {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
}
