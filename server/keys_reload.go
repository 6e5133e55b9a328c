package server

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/meridian-sync/meridian/server/auth"
)

// maxJWKSBytes bounds a fetched JWKS: a key set is a few kilobytes.
const maxJWKSBytes = 1 << 20

// loadKeySet reads every configured token key source: the HS256 secret (no kid), the PEM public keys, the
// JWKS file (which may also hold HS256 secrets, each with its kid) and the JWKS URL (public keys only).
func (c *Config) loadKeySet(ctx context.Context) (auth.KeySet, error) {
	var ks auth.KeySet
	if c.JWTSecret != "" {
		ks.Secrets = append(ks.Secrets, auth.Secret{Key: []byte(c.JWTSecret)})
	}
	if c.JWTPublicKeys != "" {
		data, err := os.ReadFile(c.JWTPublicKeys)
		if err != nil {
			return auth.KeySet{}, fmt.Errorf("--jwt-public-keys: %w", err)
		}
		keys, err := auth.ParsePublicKeysPEM(data)
		if err != nil {
			return auth.KeySet{}, fmt.Errorf("--jwt-public-keys %s: %w", c.JWTPublicKeys, err)
		}
		ks.PublicKeys = append(ks.PublicKeys, keys...)
	}
	if c.JWKSFile != "" {
		data, err := os.ReadFile(c.JWKSFile)
		if err != nil {
			return auth.KeySet{}, fmt.Errorf("--jwks-file: %w", err)
		}
		file, err := auth.ParseKeySet(data, true)
		if err != nil {
			return auth.KeySet{}, fmt.Errorf("--jwks-file %s: %w", c.JWKSFile, err)
		}
		ks.Secrets = append(ks.Secrets, file.Secrets...)
		ks.PublicKeys = append(ks.PublicKeys, file.PublicKeys...)
	}
	if c.Security.JWKSURL != "" {
		keys, err := fetchJWKS(ctx, c.Security.JWKSClient, c.Security.JWKSURL)
		if err != nil {
			return auth.KeySet{}, fmt.Errorf("--jwks-url %s: %w", c.Security.JWKSURL, err)
		}
		ks.PublicKeys = append(ks.PublicKeys, keys...)
	}
	return ks, nil
}

func fetchJWKS(ctx context.Context, client *http.Client, url string) ([]auth.PublicKey, error) {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxJWKSBytes {
		return nil, errors.New("JWKS larger than 1 MiB")
	}
	return auth.ParseJWKS(data)
}

// hasReloadableKeys reports whether any key source can change while the server runs (the secret comes from
// a flag or variable and cannot).
func (c *Config) hasReloadableKeys() bool {
	return c.JWTPublicKeys != "" || c.JWKSFile != "" || c.Security.JWKSURL != ""
}

// keySetFingerprint changes whenever a key or its id changes, so an unchanged reread is not logged.
func keySetFingerprint(ks auth.KeySet) [32]byte {
	var parts []string
	for _, s := range ks.Secrets {
		sum := sha256.Sum256(s.Key)
		parts = append(parts, "s\x00"+s.ID+"\x00"+string(sum[:]))
	}
	for _, k := range ks.PublicKeys {
		der, _ := x509.MarshalPKIXPublicKey(k.Key)
		parts = append(parts, "p\x00"+k.ID+"\x00"+string(der))
	}
	slices.Sort(parts)
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s", len(p), p)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// keyIDDiff lists the key ids added and removed between two sets, for the audit line.
func keyIDDiff(before, after auth.KeySet) (added, removed []string) {
	old, now := before.IDs(), after.IDs()
	for _, id := range now {
		if !slices.Contains(old, id) {
			added = append(added, id)
		}
	}
	for _, id := range old {
		if !slices.Contains(now, id) {
			removed = append(removed, id)
		}
	}
	return added, removed
}

// reloadKeys rereads every key source and installs the result if it changed (installed reports that). A
// source that fails to load keeps the keys in force: a JWKS endpoint down for a minute must not lock every
// client out. Once a new set is in force, the connections whose key it retired are closed (revoke.go).
func (s *Server) reloadKeys(ctx context.Context) (installed bool, err error) {
	before := s.verifier.Keys()
	ks, err := s.cfg.loadKeySet(ctx)
	if err == nil && keySetFingerprint(ks) == keySetFingerprint(before) {
		return false, nil
	}
	if err == nil {
		err = s.verifier.SetKeys(ks)
	}
	s.sec.metrics.keyReloads.WithLabelValues(outcome(err)).Inc()
	if err != nil {
		s.audit(ctx, "keys.reload", systemActor, "jwt", err, "kept_keys", len(before.IDs()))
		return false, err
	}
	closed := s.endRetiredSessions(ctx)
	added, removed := keyIDDiff(before, ks)
	s.audit(ctx, "keys.reload", systemActor, "jwt", nil, "keys", len(ks.IDs()), "added", added, "removed", removed,
		"algorithms", s.verifier.Algorithms(), "closed_connections", closed)
	return true, nil
}

// watchKeys rereads the key sources every period until ctx ends. The period after a new set was installed,
// the connections are checked once more: one whose token was verified with the old set just before the swap
// may have joined its room only after the first check.
func (s *Server) watchKeys(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	recheck := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			installed, err := s.reloadKeys(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("token key reload failed; keeping the keys in force", "err", err)
			}
			if !installed && recheck {
				if n := s.endRetiredSessions(ctx); n > 0 {
					s.log.Info("closed connections of retired token keys", "connections", n)
				}
			}
			recheck = installed
		}
	}
}
