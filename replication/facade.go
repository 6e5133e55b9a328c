package replication

import (
	"crypto/tls"
	"crypto/x509"

	"github.com/meridian-sync/meridian/replication/membership"
	"github.com/meridian-sync/meridian/replication/transport"
)

// What the regional server needs of membership and peer transport, named here so the server imports
// this package alone (layout_test.go checks it). The sub-packages' doc comments are the reference.

// Membership, gossip and the cluster keyring (package membership).
type (
	Member        = membership.Member
	Membership    = membership.Membership
	Serf          = membership.Serf
	SerfConfig    = membership.SerfConfig
	KeyringReport = membership.KeyringReport
)

const (
	MinClusterKeyLen        = membership.MinClusterKeyLen
	DefaultReconnectTimeout = membership.DefaultReconnectTimeout
)

var ErrKeyring = membership.ErrKeyring

func NewSerf(cfg SerfConfig) (*Serf, error) { return membership.NewSerf(cfg) }
func DeriveKey(secret []byte) []byte        { return membership.DeriveKey(secret) }
func Fingerprint(key []byte) string         { return membership.Fingerprint(key) }

// Peer TLS (package transport).
type CABundle = transport.CABundle

func TLSConfig(cert func() *tls.Certificate, ca func() *x509.CertPool) *tls.Config {
	return transport.TLSConfig(cert, ca)
}

func ParseCABundle(path string, pemBytes []byte) (*CABundle, error) {
	return transport.ParseCABundle(path, pemBytes)
}
