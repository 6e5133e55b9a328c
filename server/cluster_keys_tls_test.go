package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meridian-sync/meridian/replication"
	"github.com/meridian-sync/meridian/replication/transport"
)

// peerCA issues loopback peer certificates for the peer-TLS tests and writes them as PEM files.
type peerCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	file string // the CA bundle, for --peer-tls-ca
}

func newPeerCA(t *testing.T, dir string) *peerCA {
	t.Helper()
	return newPeerCANamed(t, "peer CA", filepath.Join(dir, "ca.pem"))
}

// newPeerCANamed is a peer CA of common name name, alone in the bundle file.
func newPeerCANamed(t *testing.T, name, file string) *peerCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &peerCA{cert: cert, key: key, file: file}
	writePEMFile(t, ca.file, "CERTIFICATE", der)
	return ca
}

// issue writes a certificate for 127.0.0.1 with serial, usable to serve and to dial, and its key.
func (ca *peerCA) issue(t *testing.T, certFile, keyFile string, serial int64) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "peer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEMFile(t, keyFile, "PRIVATE KEY", keyDER)
	writePEMFile(t, certFile, "CERTIFICATE", der)
}

// writePEMFile replaces path atomically, so the reloader never reads half a file.
func writePEMFile(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestPeerStreamsSpeakOnlyMutualTLSAndReloadTheCertificate(t *testing.T) {
	dir := t.TempDir()
	ca := newPeerCA(t, dir)
	withTLS := func(name string) (func(*Config), string) {
		certFile, keyFile := filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
		ca.issue(t, certFile, keyFile, 10)
		return func(c *Config) {
			c.Cluster.PeerTLSCert, c.Cluster.PeerTLSKey, c.Cluster.PeerTLSCA = certFile, keyFile, ca.file
			c.Security.TLSReload = 20 * time.Millisecond
		}, certFile
	}
	euTLS, euCert := withTLS("eu")
	usTLS, _ := withTLS("us")
	tok := token(t, "write", false, true, "*")
	eu, euGossip := tlsRegion(t, "eu", euTLS)
	us, _ := tlsRegion(t, "us", usTLS, euGossip)
	eventually(t, "us to finish copying from eu over TLS", func() bool { return us.cluster(t, tok).Ready })
	writeAndSeeEverywhere(t, tok, 1, eu, us)
	writeAndSeeEverywhere(t, tok, 2, us, eu)

	// A plain dialer holding the right cluster key gets no stream, and the node says why.
	err := dialPeer(eu, testClusterKey)
	if err == nil {
		t.Fatal("a plain peer stream opened on a TLS peer port")
	}
	eventually(t, "the refusal of the plain connection in the log", func() bool {
		return strings.Contains(eu.logs.String(), "plain (non-TLS) connection")
	})
	if !strings.Contains(eu.logs.String(), "peer_tls=true") || !strings.Contains(eu.logs.String(), "peer_mutual_tls=true") {
		t.Fatal("the start-up line must say that peer TLS is on")
	}

	// A renewed certificate is picked up without a restart, and replication carries on over it.
	ca.issue(t, euCert, filepath.Join(dir, "eu.key"), 11)
	eventually(t, "the peer certificate reload audit line", func() bool {
		return strings.Contains(eu.logs.String(), "action=peer_tls.reload") && strings.Contains(eu.logs.String(), "cert_serial=11")
	})
	writeAndSeeEverywhere(t, tok, 3, us, eu)
}

// tlsRegion is keyedRegion under the test cluster key with a config tweak.
func tlsRegion(t *testing.T, region string, tweak func(*Config), join ...string) (*testServer, string) {
	t.Helper()
	gossip := freeTCPAddr(t)
	ts := startServer(t, "", func(c *Config) {
		c.Region, c.Node = region, "n1"
		c.Cluster = ClusterConfig{PeerAddr: freeTCPAddr(t), GossipAddr: gossip, Join: join, ClusterKey: testClusterKey,
			ExchangeInterval: time.Second}
		tweak(c)
	})
	return ts, gossip
}

func TestNodeWithAnotherClusterKeyCannotJoinNorOpenAPeerStream(t *testing.T) {
	tok := token(t, "write", false, true, "*")
	eu, euGossip := keyedRegion(t, "eu", testClusterKey, nil)
	us, _ := keyedRegion(t, "us", testClusterKey, nil, euGossip)
	writeAndSeeEverywhere(t, tok, 1, eu, us)
	const otherKey = "some other cluster's key, 16+ bytes"
	stranger, _ := keyedRegion(t, "xx", otherKey, nil, euGossip)
	if err := dialPeer(eu, otherKey); !errors.Is(err, transport.ErrAuth) {
		t.Fatalf("a peer stream under another key: %v, want ErrAuth", err)
	}
	writeAndSeeEverywhere(t, tok, 2, eu, us)
	if _, got := stranger.text(t, tok, "rotation/step-2"); got != "" {
		t.Fatal("a write reached the node of another cluster key")
	}
	for _, ts := range []*testServer{eu, us} {
		if st := ts.cluster(t, tok); len(st.Peers) != 1 {
			t.Fatalf("%s lists %d peers: the stranger got in", ts.srv.cfg.Region, len(st.Peers))
		}
	}
	if st := stranger.cluster(t, tok); len(st.Peers) != 0 {
		t.Fatalf("the stranger sees peers: %+v", st.Peers)
	}
}

func TestClusterKeysEndpointRefusesNonAdminsAndBadInput(t *testing.T) {
	admin, user := token(t, "write", false, true, "*"), token(t, "write", false, false, "*")
	eu, _ := keyedRegion(t, "eu", testClusterKey, nil)
	cases := []struct {
		name, method, tok, body string
		status                  int
		says                    string
	}{
		{"no token", http.MethodGet, "", "", http.StatusUnauthorized, ""},
		{"not admin, list", http.MethodGet, user, "", http.StatusForbidden, "admin token"},
		{"not admin, change", http.MethodPost, user, `{"op":"install","key":"a new key of enough bytes"}`, http.StatusForbidden, "admin token"},
		{"not JSON", http.MethodPost, admin, `install`, http.StatusBadRequest, "must be JSON"},
		{"unknown field", http.MethodPost, admin, `{"op":"install","secret":"x"}`, http.StatusBadRequest, "must be JSON"},
		{"unknown op", http.MethodPost, admin, `{"op":"rotate","key":"a new key of enough bytes"}`, http.StatusBadRequest, `op must be`},
		{"short key", http.MethodPost, admin, `{"op":"install","key":"short"}`, http.StatusBadRequest, "at least 16 bytes"},
		{"other method", http.MethodDelete, admin, "", http.StatusMethodNotAllowed, "use GET"},
		{"use a key never installed", http.MethodPost, admin, `{"op":"use","key":"a key nobody installed"}`, http.StatusBadGateway, "reported failure"},
	}
	for _, c := range cases {
		status, body := eu.request(c.method, "/v1/admin/cluster-keys", c.tok, []byte(c.body))
		if status != c.status || !strings.Contains(string(body), c.says) {
			t.Errorf("%s: %d %s; want %d saying %q", c.name, status, body, c.status, c.says)
		}
	}
	logs := eu.logs.String()
	if !strings.Contains(logs, "action=cluster_key.change") || !strings.Contains(logs, "outcome=denied") {
		t.Fatal("a refused non-admin change must be audited")
	}
	if !strings.Contains(logs, "action=cluster_key.use") || !strings.Contains(logs, "outcome=failed") {
		t.Fatal("a change the cluster refused must be audited as failed")
	}
	if strings.Contains(logs, "a key nobody installed") {
		t.Fatal("the key leaked into the log")
	}

	alone := startServer(t, "", nil)
	status, body := alone.request(http.MethodGet, "/v1/admin/cluster-keys", admin, nil)
	if status != http.StatusConflict || !strings.Contains(string(body), "replication is off") {
		t.Fatalf("without replication: %d %s", status, body)
	}
}

func TestPeerTLSFlagsValidation(t *testing.T) {
	base := ClusterConfig{PeerAddr: "127.0.0.1:1", GossipAddr: "127.0.0.1:2", ClusterKey: testClusterKey}
	for name, tweak := range map[string]func(*ClusterConfig){
		"cert without key": func(c *ClusterConfig) { c.PeerTLSCert = "c.pem" },
		"key without cert": func(c *ClusterConfig) { c.PeerTLSKey = "k.pem" },
		"CA without cert":  func(c *ClusterConfig) { c.PeerTLSCA = "ca.pem" },
	} {
		c := base
		tweak(&c)
		if errs := c.validate(); len(errs) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
	ok := base
	ok.PeerTLSCert, ok.PeerTLSKey, ok.PeerTLSCA = "c.pem", "k.pem", "ca.pem"
	if errs := ok.validate(); len(errs) != 0 {
		t.Fatalf("a full peer TLS configuration: %v", errs)
	}
}

func TestPeerTLSFlagsAndEnvironment(t *testing.T) {
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	RegisterServeFlags(fs, &cfg)
	env := map[string]string{"MERIDIAN_PEER_TLS_CERT": "/etc/meridian/peer.pem", "MERIDIAN_PEER_TLS_KEY": "/etc/meridian/peer.key"}
	if err := ApplyEnv(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--peer-tls-ca", "/etc/meridian/peer-ca.pem"}); err != nil {
		t.Fatal(err)
	}
	c := cfg.Cluster
	if c.PeerTLSCert != "/etc/meridian/peer.pem" || c.PeerTLSKey != "/etc/meridian/peer.key" || c.PeerTLSCA != "/etc/meridian/peer-ca.pem" {
		t.Fatalf("peer TLS settings: %+v", c)
	}
}

// writeCABundle replaces the bundle file at path with the CAs' certificates, atomically.
func writeCABundle(t *testing.T, path string, cas ...*peerCA) {
	t.Helper()
	var bundle []byte
	for _, ca := range cas {
		bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})...)
	}
	writeFileAtomically(t, path, bundle)
}

func writeFileAtomically(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.WriteFile(path+".tmp", content, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}

// peerProbe is a stranger to the cluster's nodes holding the cluster key and a certificate of one CA: it
// tells whether a node's peer port accepts that CA's certificates.
type peerProbe struct{ cfg *tls.Config }

// newPeerProbe issues the probe's certificate from ca; the probe trusts the node it dials through trust.
func newPeerProbe(t *testing.T, dir, name string, ca, trust *peerCA) *peerProbe {
	t.Helper()
	certFile, keyFile := filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	ca.issue(t, certFile, keyFile, 99)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(trust.cert)
	return &peerProbe{cfg: transport.TLSConfig(func() *tls.Certificate { return &cert }, func() *x509.CertPool { return pool })}
}

// open opens a peer stream to ts and closes it: nil when the node accepted the probe's certificate.
func (p *peerProbe) open(ts *testServer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key := replication.DeriveKey([]byte(testClusterKey))
	c, err := transport.Dial(ctx, peerAddrOf(ts), transport.Identity{Node: "zz/probe", Key: key}, p.cfg)
	if err == nil {
		c.Close()
	}
	return err
}

// logHasLine reports whether one line of the node's log holds every part.
func (ts *testServer) logHasLine(parts ...string) bool {
	for line := range strings.Lines(ts.logs.String()) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			return true
		}
	}
	return false
}

func TestPeerTLSCABundleIsReloadedWithoutARestart(t *testing.T) {
	dir := t.TempDir()
	ca1 := newPeerCANamed(t, "peer CA 1", filepath.Join(dir, "ca1.pem"))
	ca2 := newPeerCANamed(t, "peer CA 2", filepath.Join(dir, "ca2.pem"))
	euBundle, usBundle := filepath.Join(dir, "eu-ca.pem"), filepath.Join(dir, "us-ca.pem")
	writeCABundle(t, euBundle, ca1)
	writeCABundle(t, usBundle, ca1, ca2)
	node := func(name string, ca *peerCA, bundle string) func(*Config) {
		certFile, keyFile := filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
		ca.issue(t, certFile, keyFile, 10)
		return func(c *Config) {
			c.Cluster.PeerTLSCert, c.Cluster.PeerTLSKey, c.Cluster.PeerTLSCA = certFile, keyFile, bundle
			c.Security.TLSReload = 20 * time.Millisecond
		}
	}
	// eu trusts CA1 only; us, whose certificate CA2 signed, already trusts both.
	eu, euGossip := tlsRegion(t, "eu", node("eu", ca1, euBundle))
	us, _ := tlsRegion(t, "us", node("us", ca2, usBundle), euGossip)
	fromCA1 := newPeerProbe(t, dir, "probe1", ca1, ca1)
	fromCA2 := newPeerProbe(t, dir, "probe2", ca2, ca1)
	tok := token(t, "write", false, true, "*")

	// As a listener, eu refuses a CA2 certificate; as a dialer, it refuses us's.
	if err := fromCA2.open(eu); err == nil {
		t.Fatal("eu accepted a CA2 certificate while its bundle holds CA1 only")
	}
	eventually(t, "eu to refuse us's certificate when dialling it", func() bool {
		return eu.logHasLine("dial peer failed", "us/n1", "unknown authority")
	})
	if !eu.logHasLine("TLS on the peer port", "ca_certs=1", "CN=peer CA 1") {
		t.Fatal("the start-up line must name the CA bundle in force")
	}

	// Rotation step 1: the bundle gains CA2, and both directions take it without a restart.
	writeCABundle(t, euBundle, ca1, ca2)
	eventually(t, "the CA bundle reload audit line", func() bool {
		return eu.logHasLine("action=peer_tls_ca.reload", "outcome=ok", "ca_certs=2", "CN=peer CA 1; CN=peer CA 2")
	})
	if err := fromCA2.open(eu); err != nil {
		t.Fatalf("eu refused a CA2 certificate after the bundle gained CA2: %v", err)
	}
	eventually(t, "us to finish copying from eu over TLS", func() bool { return us.cluster(t, tok).Ready })
	writeAndSeeEverywhere(t, tok, 1, eu, us) // eu dials us
	writeAndSeeEverywhere(t, tok, 2, us, eu) // us dials eu

	// Rotation step 3: CA1 leaves the bundle, and its certificates are refused.
	writeCABundle(t, euBundle, ca2)
	eventually(t, "the reload audit line of the CA2-only bundle", func() bool {
		return eu.logHasLine("action=peer_tls_ca.reload", "outcome=ok", "ca_certs=1", "CN=peer CA 2")
	})
	if err := fromCA1.open(eu); err == nil {
		t.Fatal("eu accepted a CA1 certificate after CA1 left its bundle")
	}
	if err := fromCA2.open(eu); err != nil {
		t.Fatalf("eu refused a CA2 certificate: %v", err)
	}

	// A bundle that does not load is audited, and the pool in force stays.
	writeFileAtomically(t, euBundle, []byte("not a PEM bundle\n"))
	eventually(t, "the failed reload audit line", func() bool {
		return eu.logHasLine("action=peer_tls_ca.reload", "outcome=failed", "holds no PEM certificate", "kept_ca_certs=1")
	})
	if err := fromCA2.open(eu); err != nil {
		t.Fatalf("eu refused a CA2 certificate after a broken bundle: %v", err)
	}
	if err := fromCA1.open(eu); err == nil {
		t.Fatal("eu accepted a CA1 certificate after a broken bundle")
	}
	writeAndSeeEverywhere(t, tok, 3, us, eu)
}
