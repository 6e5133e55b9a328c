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
	"flag"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// selfSigned makes a certificate for 127.0.0.1 with the given serial, as PEM files in dir.
func selfSigned(t *testing.T, serial int64) (certPEM, keyPEM []byte, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "meridian-test"},
		NotBefore:    time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), cert
}

// writeAtomically replaces path the way certificate managers do: write aside, then rename.
func writeAtomically(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// servedSerial connects over TLS (trusting nothing, so any certificate is seen) and returns the serial served.
func servedSerial(t *testing.T, addr string) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// startTLSServer runs a server on a real listener with TLS from the files in dir.
func startTLSServer(t *testing.T, certFile, keyFile string, logs *syncBuffer) (addr string) {
	t.Helper()
	cfg := Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", JWTSecret: testSecret, Node: "tls-node",
		Logger:   slog.New(slog.NewTextHandler(logs, nil)),
		Security: SecurityConfig{TLSCert: certFile, TLSKey: keyFile, TLSReload: 20 * time.Millisecond}}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}

func TestTLSClientPortServesHTTPSAndWSSAndReloadsTheCertificate(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM, keyPEM, cert1 := selfSigned(t, 1001)
	writeAtomically(t, certFile, certPEM)
	writeAtomically(t, keyFile, keyPEM)
	logs := &syncBuffer{}
	addr := startTLSServer(t, certFile, keyFile, logs)

	pool := x509.NewCertPool()
	pool.AddCert(cert1)
	tlsClient := &tls.Config{RootCAs: pool}

	// https: the health check answers over TLS, with a verified certificate.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsClient}, Timeout: 5 * time.Second}
	resp, err := hc.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ok" {
		t.Fatalf("https healthz: %d %q", resp.StatusCode, body)
	}

	// wss: a y-websocket handshake works over TLS.
	dialer := websocket.Dialer{TLSClientConfig: tlsClient, HandshakeTimeout: 5 * time.Second}
	header := http.Header{"Authorization": {"Bearer " + token(t, "write", false, false, "tls-doc")}}
	ws, _, err := dialer.Dial("wss://"+addr+"/ws/tls-doc", header)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, conn: ws}
	if got := textOf(t, c.handshake()); got != "" {
		t.Fatalf("new document holds %q", got)
	}
	ws.Close()

	// Plain HTTP on the TLS port is refused: never a 200, never a WebSocket.
	plain := &http.Client{Timeout: 5 * time.Second}
	if resp, err := plain.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP answered 200 on the TLS port")
		}
	}
	if _, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws/tls-doc", header); err == nil {
		t.Fatal("a plain ws:// connection was accepted on the TLS port")
	}

	// Renewal: new files, same paths; the new certificate is served without a restart.
	certPEM2, keyPEM2, _ := selfSigned(t, 2002)
	writeAtomically(t, keyFile, keyPEM2)
	writeAtomically(t, certFile, certPEM2)
	deadline := time.Now().Add(10 * time.Second)
	for servedSerial(t, addr) != 2002 {
		if time.Now().After(deadline) {
			t.Fatalf("the renewed certificate was never served; logs:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "audit=true action=tls.reload") || !strings.Contains(logs.String(), "cert_serial=2002") {
		t.Fatalf("no audit line for the certificate reload:\n%s", logs)
	}
}

func TestTLSReloadKeepsServingWhenTheNewPairIsBroken(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM, keyPEM, _ := selfSigned(t, 7)
	writeAtomically(t, certFile, certPEM)
	writeAtomically(t, keyFile, keyPEM)
	logs := &syncBuffer{}
	addr := startTLSServer(t, certFile, keyFile, logs)
	_, otherKey, _ := selfSigned(t, 8)
	writeAtomically(t, keyFile, otherKey) // a key that does not match the certificate
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "action=tls.reload") {
		if time.Now().After(deadline) {
			t.Fatalf("the broken pair was not reported:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "outcome=failed") {
		t.Fatalf("a mismatched pair was not reported as failed:\n%s", logs)
	}
	if got := servedSerial(t, addr); got != 7 {
		t.Fatalf("served serial %d after a broken renewal, want the old 7", got)
	}
}

func TestSecurityConfigValidation(t *testing.T) {
	dir := t.TempDir()
	certFile := filepath.Join(dir, "cert.pem")
	certPEM, _, _ := selfSigned(t, 1)
	writeAtomically(t, certFile, certPEM)
	for name, sec := range map[string]SecurityConfig{
		"cert without key":     {TLSCert: certFile},
		"missing files":        {TLSCert: filepath.Join(dir, "nope.pem"), TLSKey: filepath.Join(dir, "nope.key")},
		"jwks over plain http": {JWKSURL: "http://idp.example.com/jwks.json"},
		"negative limit":       {Abuse: AbuseLimits{ConnectionsPerSubject: -1}},
	} {
		cfg := Config{DataDir: dir, Listen: ":0", JWTSecret: testSecret, Security: sec}
		if err := cfg.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A certificate whose key does not load is a start-up error, not a server without TLS.
	cfg := Config{DataDir: t.TempDir(), Listen: ":0", JWTSecret: testSecret,
		Security: SecurityConfig{TLSCert: certFile, TLSKey: certFile}}
	if _, err := New(cfg); err == nil {
		t.Fatal("a server started with an unusable TLS key")
	}
}

func TestSecurityFlagsAndEnvironment(t *testing.T) {
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	RegisterServeFlags(fs, &cfg)
	env := map[string]string{"MERIDIAN_TLS_CERT": "/etc/meridian/cert.pem", "MERIDIAN_TLS_KEY": "/etc/meridian/key.pem",
		"MERIDIAN_JWKS_REFRESH": "30s", "MERIDIAN_MAX_CONNECTIONS_PER_SUBJECT": "50"}
	if err := ApplyEnv(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--jwks-url", "https://idp.example.com/jwks.json", "--messages-per-second-per-address", "300"}); err != nil {
		t.Fatal(err)
	}
	s := cfg.Security
	if s.TLSCert != "/etc/meridian/cert.pem" || s.TLSKey != "/etc/meridian/key.pem" || s.JWKSRefresh != 30*time.Second ||
		s.JWKSURL != "https://idp.example.com/jwks.json" || s.Abuse.ConnectionsPerSubject != 50 || s.Abuse.MessagesPerAddress != 300 {
		t.Fatalf("security settings: %+v", s)
	}
}
