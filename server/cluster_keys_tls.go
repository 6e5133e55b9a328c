package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"github.com/meridian-sync/meridian/replication"
	"path/filepath"
	"sync"
)

// clusterKeyringName is the gossip keyring file in the data directory: serf rewrites it at every key install,
// use and remove, so a rotation survives a restart (it wins over --cluster-key; see SECURITY.md).
const clusterKeyringName = "cluster-keyring.json"

func (s *Server) clusterKeyringFile() string { return filepath.Join(s.cfg.DataDir, clusterKeyringName) }

// peerTLSFiles are the peer port's TLS files, each reloaded when it changes: the certificate pair and, with
// mutual TLS, the CA bundle.
type peerTLSFiles struct {
	certs *certReloader
	ca    *caReloader // nil without --peer-tls-ca
}

// loadPeerTLS builds the peer port's TLS configuration from --peer-tls-cert, --peer-tls-key and --peer-tls-ca:
// nil without them. A pair or CA bundle that does not load is a start-up error. The configuration asks the
// returned files (nil without TLS) for the certificate and the CA pool in force at every handshake;
// watchPeerCerts swaps them when the files change.
func (s *Server) loadPeerTLS() (*tls.Config, *peerTLSFiles, error) {
	c := s.cfg.Cluster
	if !c.peerTLSEnabled() {
		return nil, nil, nil
	}
	certs, err := newCertReloader(c.PeerTLSCert, c.PeerTLSKey)
	if err != nil {
		return nil, nil, err
	}
	files := &peerTLSFiles{certs: certs}
	var pool func() *x509.CertPool // nil: the listener asks no client certificate, the dialer uses the system roots
	if c.PeerTLSCA != "" {
		if files.ca, err = newCAReloader(c.PeerTLSCA); err != nil {
			return nil, nil, err
		}
		pool = files.ca.pool
	}
	cfg := replication.TLSConfig(certs.current.Load, pool)
	attrs := append([]any{"mutual", c.PeerTLSCA != ""}, certSummary(certs.current.Load())...)
	if files.ca != nil {
		attrs = append(attrs, caSummary(files.ca.current.Load())...)
	}
	s.log.Info("TLS on the peer port", attrs...)
	return cfg, files, nil
}

// watchPeerCerts polls the peer certificate files and the CA bundle until ctx ends, auditing each swap or
// failed load like the client port's reloads (actions peer_tls.reload and peer_tls_ca.reload). The returned
// channel closes when it has stopped.
func (s *Server) watchPeerCerts(ctx context.Context, files *peerTLSFiles) <-chan struct{} {
	done := make(chan struct{})
	if files == nil {
		close(done)
		return done
	}
	var watchers sync.WaitGroup
	watchers.Go(func() {
		files.certs.watch(ctx, s.cfg.Security.TLSReload, func(cert *tls.Certificate, err error) {
			if err != nil {
				s.audit(ctx, "peer_tls.reload", systemActor, s.cfg.Cluster.PeerTLSCert, err)
				return
			}
			s.audit(ctx, "peer_tls.reload", systemActor, s.cfg.Cluster.PeerTLSCert, nil, certSummary(cert)...)
		})
	})
	if files.ca != nil {
		watchers.Go(func() {
			files.ca.watch(ctx, s.cfg.Security.TLSReload, func(inForce *replication.CABundle, err error) {
				if err != nil {
					// Say what is still trusted: the operator's rotation did not take effect.
					s.audit(ctx, "peer_tls_ca.reload", systemActor, s.cfg.Cluster.PeerTLSCA, err,
						"kept_ca_certs", len(inForce.Certs))
					return
				}
				s.audit(ctx, "peer_tls_ca.reload", systemActor, s.cfg.Cluster.PeerTLSCA, nil, caSummary(inForce)...)
			})
		})
	}
	go func() {
		watchers.Wait()
		close(done)
	}()
	return done
}
