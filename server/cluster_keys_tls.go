package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"path/filepath"

	"github.com/meridian-sync/meridian/replication/transport"
)

// clusterKeyringName is the gossip keyring file in the data directory: serf rewrites it at every key install,
// use and remove, so a rotation survives a restart (it wins over --cluster-key; see SECURITY.md).
const clusterKeyringName = "cluster-keyring.json"

func (s *Server) clusterKeyringFile() string { return filepath.Join(s.cfg.DataDir, clusterKeyringName) }

// loadPeerTLS builds the peer port's TLS configuration from --peer-tls-cert, --peer-tls-key and --peer-tls-ca:
// nil without them. A pair or CA bundle that does not load is a start-up error. The returned reloader (nil
// without TLS) serves the certificate in force; watchPeerCerts swaps it when the files change.
func (s *Server) loadPeerTLS() (*tls.Config, *certReloader, error) {
	c := s.cfg.Cluster
	if !c.peerTLSEnabled() {
		return nil, nil, nil
	}
	certs, err := newCertReloader(c.PeerTLSCert, c.PeerTLSKey)
	if err != nil {
		return nil, nil, err
	}
	var ca *x509.CertPool // nil: the listener asks no client certificate, the dialer uses the system roots
	if c.PeerTLSCA != "" {
		if ca, err = transport.LoadCertPool(c.PeerTLSCA); err != nil {
			return nil, nil, err
		}
	}
	cfg := transport.TLSConfig(certs.current.Load, ca)
	s.log.Info("TLS on the peer port", append([]any{"mutual", c.PeerTLSCA != ""}, certSummary(certs.current.Load())...)...)
	return cfg, certs, nil
}

// watchPeerCerts polls the peer certificate files until ctx ends, auditing each swap or failed load like the
// client port's reloads (action peer_tls.reload). The returned channel closes when it has stopped.
func (s *Server) watchPeerCerts(ctx context.Context, certs *certReloader) <-chan struct{} {
	done := make(chan struct{})
	if certs == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		certs.watch(ctx, s.cfg.Security.TLSReload, func(cert *tls.Certificate, err error) {
			if err != nil {
				s.audit(ctx, "peer_tls.reload", systemActor, s.cfg.Cluster.PeerTLSCert, err)
				return
			}
			s.audit(ctx, "peer_tls.reload", systemActor, s.cfg.Cluster.PeerTLSCert, nil, certSummary(cert)...)
		})
	}()
	return done
}
