package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
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
// certificate against the pool ca returns, and the listener requires a client certificate signed by it. ca
// is asked at each handshake, so a reloaded CA bundle applies to new connections without a restart; a nil
// pool refuses the handshake rather than falling back to the system roots. Without ca the listener asks for
// no client certificate and the dialer verifies against the system roots. Either way the dialer checks that
// the certificate names the host it dialled (the peer's advertised address), so peer certificates carry that
// name or IP address, and with mutual TLS both the serverAuth and clientAuth usages.
func TLSConfig(cert func() *tls.Certificate, ca func() *x509.CertPool) *tls.Config {
	get := func() (*tls.Certificate, error) {
		if c := cert(); c != nil {
			return c, nil
		}
		return nil, errors.New("no peer certificate loaded")
	}
	base := func() *tls.Config {
		return &tls.Config{
			MinVersion:           tls.VersionTLS12,
			GetCertificate:       func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return get() },
			GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return get() },
		}
	}
	cfg := base()
	if ca == nil {
		return cfg
	}
	// Listener: each handshake gets a configuration holding the pool in force, and crypto/tls verifies the
	// client certificate against it exactly as with a fixed ClientCAs.
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	cfg.GetConfigForClient = func(*tls.ClientHelloInfo) (*tls.Config, error) {
		pool := ca()
		if pool == nil {
			return nil, errNoCAPool
		}
		perHandshake := base()
		perHandshake.ClientCAs, perHandshake.ClientAuth = pool, tls.RequireAndVerifyClientCert
		return perHandshake, nil
	}
	// Dialer: crypto/tls has no per-handshake RootCAs, so its own verification is turned off and
	// verifyServerCertificate does the same checks (chain to the pool in force, the dialled name, the
	// serverAuth usage, validity dates) in VerifyConnection. tlsClient supplies the dialled name.
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = func(cs tls.ConnectionState) error { return verifyServerCertificate(cs, ca()) }
	return cfg
}

var errNoCAPool = errors.New("no peer CA bundle loaded")

// verifyServerCertificate is crypto/tls's client-side verification against pool, for a dialer whose pool
// changes: the leaf must chain to pool through the intermediates the peer sent, be valid now, carry the
// serverAuth usage (or none) and name cs.ServerName, which tlsClient sets to the dialled host.
func verifyServerCertificate(cs tls.ConnectionState, pool *x509.CertPool) error {
	if pool == nil {
		return errNoCAPool
	}
	if len(cs.PeerCertificates) == 0 {
		return errors.New("the peer presented no certificate")
	}
	if cs.ServerName == "" {
		// Verifying without a name would accept any certificate of the CA for any host.
		return errors.New("no host name to check the peer certificate against (dial peers with transport.Dial)")
	}
	opts := x509.VerifyOptions{Roots: pool, DNSName: cs.ServerName, Intermediates: x509.NewCertPool()}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
		return fmt.Errorf("peer certificate not trusted by the CA bundle in force: %w", err)
	}
	return nil
}

// CABundle is a loaded PEM bundle of CA certificates: the pool peers are verified against, and the
// certificates themselves to name them in logs.
type CABundle struct {
	Pool  *x509.CertPool
	Certs []*x509.Certificate
}

// Subjects names the bundle's certificates, in file order.
func (b *CABundle) Subjects() []string {
	names := make([]string, len(b.Certs))
	for i, c := range b.Certs {
		names[i] = c.Subject.String()
	}
	return names
}

// LoadCABundle reads a PEM bundle of CA certificates. Unlike x509.CertPool.AppendCertsFromPEM, it refuses a
// bundle with a certificate that does not parse or a block cut short, rather than trusting what it could
// read: a bundle caught half-written during a rotation must not silently drop a CA.
func LoadCABundle(path string) (*CABundle, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("meridian/replication/transport: CA bundle: %w", err)
	}
	return ParseCABundle(path, b)
}

// ParseCABundle is LoadCABundle on the bundle's bytes; path only names it in errors.
func ParseCABundle(path string, pemBytes []byte) (*CABundle, error) {
	bundle := &CABundle{Pool: x509.NewCertPool()}
	rest := pemBytes
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue // comments, or a key by mistake: only certificates are trusted
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("meridian/replication/transport: CA bundle %s, certificate %d: %w", path, len(bundle.Certs)+1, err)
		}
		bundle.Pool.AddCert(c)
		bundle.Certs = append(bundle.Certs, c)
	}
	if bytes.Contains(rest, []byte("-----BEGIN")) {
		return nil, fmt.Errorf("meridian/replication/transport: CA bundle %s ends with a PEM block that does not "+
			"decode (cut short?) after %d certificate(s)", path, len(bundle.Certs))
	}
	if len(bundle.Certs) == 0 {
		return nil, fmt.Errorf("meridian/replication/transport: CA bundle %s holds no PEM certificate", path)
	}
	return bundle, nil
}

// tlsClient runs the dialer's TLS handshake before the cluster-key handshake, so a failure names TLS.
func tlsClient(ctx context.Context, raw net.Conn, cfg *tls.Config, addr string) (net.Conn, error) {
	cfg = cfg.Clone()
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		cfg.ServerName = host
	}
	if verify := cfg.VerifyConnection; verify != nil {
		// crypto/tls leaves ConnectionState.ServerName empty for an IP address (no SNI for IPs) while its own
		// verification checks Config.ServerName: hand the verifier the name crypto/tls would check.
		name := cfg.ServerName
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			cs.ServerName = name
			return verify(cs)
		}
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
