package transport

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// testCA is a throwaway certificate authority issuing loopback peer certificates.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test peer CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue returns a certificate for 127.0.0.1 usable to serve and to dial.
func (ca *testCA) issue(t *testing.T, name string) *tls.Certificate {
	t.Helper()
	return ca.issueWith(t, name, nil)
}

// issueWith is issue with the template changed by tweak first (names, usages, dates).
func (ca *testCA) issueWith(t *testing.T, name string, tweak func(*x509.Certificate)) *tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	if tweak != nil {
		tweak(tmpl)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// fixedPool is a CA pool that never changes.
func fixedPool(pool *x509.CertPool) func() *x509.CertPool {
	return func() *x509.CertPool { return pool }
}

// acceptOne listens on loopback and reports the result of accepting one connection.
func acceptOne(t *testing.T, id Identity, cfg *tls.Config) (addr string, result <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	done := make(chan error, 1)
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		c, err := Accept(raw, id, cfg)
		if err == nil {
			var p []byte
			p, err = c.Recv()
			if err == nil && string(p) != "over tls" {
				err = errors.New("wrong payload " + string(p))
			}
			c.Close()
		}
		done <- err
	}()
	return ln.Addr().String(), done
}

func TestMutualTLSPeerStream(t *testing.T) {
	ca := newTestCA(t)
	key := []byte("tls-cluster-key-0123456789")
	server, client := ca.issue(t, "server"), ca.issue(t, "client")
	addr, result := acceptOne(t, Identity{Node: "b", Key: key}, TLSConfig(func() *tls.Certificate { return server }, fixedPool(ca.pool)))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, Identity{Node: "a", Key: key}, TLSConfig(func() *tls.Certificate { return client }, fixedPool(ca.pool)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.conn.(*tls.Conn); !ok {
		t.Fatal("the stream is not TLS")
	}
	if err := c.Send([]byte("over tls")); err != nil {
		t.Fatal(err)
	}
	if err := <-result; err != nil {
		t.Fatalf("listener: %v", err)
	}
}

func TestPlainDialToTLSPeerPortIsRefused(t *testing.T) {
	ca := newTestCA(t)
	key := []byte("tls-cluster-key-0123456789")
	server := ca.issue(t, "server")
	addr, result := acceptOne(t, Identity{Node: "b", Key: key}, TLSConfig(func() *tls.Certificate { return server }, fixedPool(ca.pool)))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The plain dialer holds the right cluster key: TLS alone refuses it.
	if c, err := Dial(ctx, addr, Identity{Node: "a", Key: key}, nil); err == nil {
		c.Close()
		t.Fatal("a plain dial to a TLS peer port completed the handshake")
	}
	err := <-result
	if !errors.Is(err, ErrTLS) || !strings.Contains(err.Error(), "plain (non-TLS) connection") {
		t.Fatalf("listener error %v, want ErrTLS naming the plain connection", err)
	}
}

func TestTLSDialToPlainPeerPortIsRefused(t *testing.T) {
	ca := newTestCA(t)
	key := []byte("tls-cluster-key-0123456789")
	addr, result := acceptOne(t, Identity{Node: "b", Key: key}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := ca.issue(t, "client")
	if c, err := Dial(ctx, addr, Identity{Node: "a", Key: key}, TLSConfig(func() *tls.Certificate { return client }, fixedPool(ca.pool))); err == nil {
		c.Close()
		t.Fatal("a TLS dialer connected to a plain peer port")
	}
	if err := <-result; !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "speaks TLS") {
		t.Fatalf("listener error %v, want ErrProtocol saying the dialer speaks TLS", err)
	}
}

func TestMutualTLSRefusesACertificateFromAnotherCA(t *testing.T) {
	ca, rogue := newTestCA(t), newTestCA(t)
	key := []byte("tls-cluster-key-0123456789")
	server, stranger := ca.issue(t, "server"), rogue.issue(t, "stranger")
	addr, result := acceptOne(t, Identity{Node: "b", Key: key}, TLSConfig(func() *tls.Certificate { return server }, fixedPool(ca.pool)))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The stranger trusts the server's CA and holds the cluster key, but its own certificate is not the
	// cluster's: mutual TLS refuses it.
	c, err := Dial(ctx, addr, Identity{Node: "x", Key: key}, TLSConfig(func() *tls.Certificate { return stranger }, fixedPool(ca.pool)))
	if err == nil {
		// TLS 1.3 reports the client certificate's refusal on the first read; the listener refused anyway.
		c.Close()
	}
	if err := <-result; !errors.Is(err, ErrTLS) {
		t.Fatalf("listener error %v, want ErrTLS", err)
	}
}

func TestTLSConfigRefusesToServeWithoutACertificate(t *testing.T) {
	cfg := TLSConfig(func() *tls.Certificate { return nil }, nil)
	if _, err := cfg.GetCertificate(nil); err == nil {
		t.Fatal("a missing certificate must be an error, not an empty handshake")
	}
	if _, err := LoadCABundle("/nonexistent/ca.pem"); err == nil {
		t.Fatal("a missing CA bundle must be an error")
	}
}
