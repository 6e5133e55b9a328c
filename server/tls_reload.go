package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// certReloader serves the client port's certificate through tls.Config.GetCertificate and swaps it when the
// files change, so a renewed certificate (certbot, cert-manager) takes effect without dropping a connection:
// established connections keep the certificate they shook hands with, new ones get the new one.
type certReloader struct {
	certFile, keyFile string
	current           atomic.Pointer[tls.Certificate]
	stamp             fileStamp // of the pair in force; touched by the watch goroutine only
	failed            fileStamp // of the last pair that did not load, not to report it at every tick
}

// fileStamp identifies a version of the two files cheaply: modification times and sizes.
type fileStamp struct {
	certMod, keyMod   time.Time
	certSize, keySize int64
}

func statPair(certFile, keyFile string) (fileStamp, error) {
	c, err := os.Stat(certFile)
	if err != nil {
		return fileStamp{}, err
	}
	k, err := os.Stat(keyFile)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{certMod: c.ModTime(), keyMod: k.ModTime(), certSize: c.Size(), keySize: k.Size()}, nil
}

// newCertReloader loads the pair once; a pair that does not load is a start-up error.
func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile}
	if _, err := r.reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// reload loads the files if they changed since the pair in force; changed reports a swap.
func (r *certReloader) reload() (changed bool, err error) {
	stamp, err := statPair(r.certFile, r.keyFile)
	if err != nil {
		return false, err
	}
	if (stamp == r.stamp && r.current.Load() != nil) || stamp == r.failed {
		return false, nil
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		// Typically a renewal caught between writing the certificate and the key: keep serving the old pair
		// and try again when the files change again.
		r.failed = stamp
		return false, fmt.Errorf("load TLS pair %s, %s: %w", r.certFile, r.keyFile, err)
	}
	if cert.Leaf == nil && len(cert.Certificate) > 0 {
		cert.Leaf, _ = x509.ParseCertificate(cert.Certificate[0])
	}
	r.current.Store(&cert)
	r.stamp = stamp
	return true, nil
}

func (r *certReloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return r.current.Load(), nil
}

// tlsConfig is the client port's TLS configuration: TLS 1.2 or later, HTTP/1.1 only (WebSockets upgrade
// from HTTP/1.1; browsers open them on a separate connection anyway).
func (r *certReloader) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.getCertificate, NextProtos: []string{"http/1.1"}}
}

// watch polls the files every interval until ctx ends, reporting each swap or failure to onEvent.
func (r *certReloader) watch(ctx context.Context, interval time.Duration, onEvent func(cert *tls.Certificate, err error)) {
	pollReload(ctx, interval, r.reload, func(err error) { onEvent(r.current.Load(), err) })
}

// pollReload calls reload every interval until ctx ends, and report after each swap (changed) or failure:
// the loop of every file-backed reloader (certificates, CA bundles).
func pollReload(ctx context.Context, interval time.Duration, reload func() (changed bool, err error), report func(err error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if changed, err := reload(); changed || err != nil {
			report(err)
		}
	}
}

// certSummary names a certificate in logs: subject, serial and expiry, never key material.
func certSummary(cert *tls.Certificate) []any {
	if cert == nil || cert.Leaf == nil {
		return nil
	}
	return []any{"cert_subject", cert.Leaf.Subject.String(), "cert_serial", cert.Leaf.SerialNumber.String(),
		"cert_not_after", cert.Leaf.NotAfter.UTC().Format(time.RFC3339)}
}
