package server

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"github.com/meridian-sync/meridian/replication"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// caReloader holds the peer CA bundle in force (--peer-tls-ca) and swaps it when the file's content changes,
// so a CA rotation needs no restart: new peer connections, dialled or accepted, verify against the new pool;
// established ones keep the peer they authenticated. It follows certReloader: polled, swapped atomically, and
// a bundle that does not load leaves the old one in force.
type caReloader struct {
	file    string
	current atomic.Pointer[replication.CABundle]
	// Digests of the file's content in force and of the last content that did not load (not to report it at
	// every tick); touched by the watch goroutine only. The content, not the modification time, decides: a
	// bundle restored with its old timestamp by a configuration tool still counts as a change.
	inForce, failed [sha256.Size]byte
}

// newCAReloader loads the bundle once; a bundle that does not load is a start-up error.
func newCAReloader(file string) (*caReloader, error) {
	r := &caReloader{file: file}
	if _, err := r.reload(); err != nil {
		return nil, err
	}
	return r, nil
}

// pool is the CA pool in force, asked by the peer port at every TLS handshake.
func (r *caReloader) pool() *x509.CertPool {
	if b := r.current.Load(); b != nil {
		return b.Pool
	}
	return nil // never after newCAReloader; the peer port then refuses the handshake
}

// reload reads the file and swaps the bundle if its content changed; changed reports a swap.
func (r *caReloader) reload() (changed bool, err error) {
	content, err := os.ReadFile(r.file)
	if err != nil {
		return false, fmt.Errorf("read peer CA bundle: %w", err)
	}
	digest := sha256.Sum256(content)
	if (digest == r.inForce && r.current.Load() != nil) || digest == r.failed {
		return false, nil
	}
	bundle, err := replication.ParseCABundle(r.file, content)
	if err != nil {
		// Typically a bundle caught half-written: keep trusting the old one, try again when the file changes.
		r.failed = digest
		return false, err
	}
	r.current.Store(bundle)
	r.inForce, r.failed = digest, [sha256.Size]byte{}
	return true, nil
}

// watch polls the file every interval until ctx ends, reporting each swap or failure to onEvent with the
// bundle in force afterwards (the old one after a failure).
func (r *caReloader) watch(ctx context.Context, interval time.Duration, onEvent func(inForce *replication.CABundle, err error)) {
	pollReload(ctx, interval, r.reload, func(err error) { onEvent(r.current.Load(), err) })
}

// caSummary names a CA bundle in logs: how many certificates and their subjects.
func caSummary(b *replication.CABundle) []any {
	if b == nil {
		return nil
	}
	return []any{"ca_certs", len(b.Certs), "ca_subjects", strings.Join(b.Subjects(), "; ")}
}
