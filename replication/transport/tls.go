package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
)

// ErrTLS reports a peer connection whose TLS handshake failed: a plain connection to a TLS-only peer port,
// an untrusted or expired certificate, or a peer without a client certificate under mutual TLS.
var ErrTLS = errors.New("meridian/replication/transport: TLS handshake failed")

// TLSConfig builds the peer port's TLS configuration, used both to dial and to accept (every node is both).
// cert returns the node's certificate at each handshake, so a renewed pair (a reloader swapping it) applies to
// new connections without a restart. With ca set the TLS is mutual: the dialer verifies the listener's
// certificate against ca, and the listener requires a client certificate signed by ca. Without ca the
// listener asks for no client certificate and the dialer verifies against the system roots. Either way the
// dialer checks that the certificate names the host it dialled (the peer's advertised address), so peer
// certificates carry that name or IP address, and with mutual TLS both the serverAuth and clientAuth usages.
func TLSConfig(cert func() *tls.Certificate, ca *x509.CertPool) *tls.Config {
	get := func() (*tls.Certificate, error) {
		if c := cert(); c != nil {
			return c, nil
		}
		return nil, errors.New("no peer certificate loaded")
	}
	cfg := &tls.Config{
		MinVersion:           tls.VersionTLS12,
		GetCertificate:       func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return get() },
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return get() },
		RootCAs:              ca,
	}
	if ca != nil {
		cfg.ClientCAs, cfg.ClientAuth = ca, tls.RequireAndVerifyClientCert
	}
	return cfg
}

// LoadCertPool reads a PEM bundle of CA certificates.
func LoadCertPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("meridian/replication/transport: CA bundle: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("meridian/replication/transport: CA bundle %s holds no PEM certificate", path)
	}
	return pool, nil
}

// tlsClient runs the dialer's TLS handshake before the cluster-key handshake, so a failure names TLS.
func tlsClient(ctx context.Context, raw net.Conn, cfg *tls.Config, addr string) (net.Conn, error) {
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		cfg = cfg.Clone()
		cfg.ServerName = host
	}
	tc := tls.Client(raw, cfg)
	ctx, cancel := context.WithTimeout(ctx, HandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("%w with %s: %v", ErrTLS, addr, err)
	}
	return tc, nil
}

// tlsServer runs the listener's TLS handshake. A plain connection gets an error saying so: it is the usual
// mistake (one node configured without --peer-tls-cert), and "first record does not look like a TLS
// handshake" alone does not point at it.
func tlsServer(raw net.Conn, cfg *tls.Config) (net.Conn, error) {
	tc := tls.Server(raw, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), HandshakeTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		var plain tls.RecordHeaderError
		if errors.As(err, &plain) {
			return nil, fmt.Errorf("%w: %s opened a plain (non-TLS) connection; this node accepts only TLS on its "+
				"peer port (configure --peer-tls-cert and --peer-tls-key on every node)", ErrTLS, raw.RemoteAddr())
		}
		return nil, fmt.Errorf("%w from %s: %v", ErrTLS, raw.RemoteAddr(), err)
	}
	return tc, nil
}

// tlsRecordType is the first byte of a TLS handshake record. A hello frame starts with its length, at least
// 38, so a plain listener seeing this byte knows the dialer speaks TLS.
const tlsRecordType = 0x16
