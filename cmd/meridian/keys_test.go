package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meridian-sync/meridian/server/auth"
)

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(args, nil, &out, &errOut); code != 0 {
		t.Fatalf("meridian %v: exit %d: %s", args, code, errOut.String())
	}
	return out.String()
}

// verifierFor trusts exactly the keys of a JWKS document made of the given entries.
func verifierFor(t *testing.T, entries ...[]byte) *auth.Verifier {
	t.Helper()
	doc := auth.JWKSDocument{}
	for _, e := range entries {
		doc.Keys = append(doc.Keys, json.RawMessage(bytes.TrimSpace(e)))
	}
	data, _ := json.Marshal(doc)
	ks, err := auth.ParseKeySet(data, true)
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(auth.Config{Secrets: ks.Secrets, PublicKeys: ks.PublicKeys})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestKeysGenThenTokenVerifiesForEveryAlgorithm(t *testing.T) {
	for _, alg := range []string{"ES256", "EdDSA", "RS256"} {
		t.Run(alg, func(t *testing.T) {
			dir := t.TempDir()
			priv, entry := filepath.Join(dir, "key.pem"), filepath.Join(dir, "key.jwk")
			if out := runOK(t, "keys", "gen", "--alg", alg, "--kid", "k-"+alg, "--private-out", priv, "--jwks-out", entry); out != "" {
				t.Fatalf("stdout should be empty with both outputs in files: %q", out)
			}
			if st, _ := os.Stat(priv); st.Mode().Perm() != 0o600 {
				t.Fatalf("private key mode %v", st.Mode().Perm())
			}
			jwk, _ := os.ReadFile(entry)
			if !strings.Contains(string(jwk), `"kid":"k-`+alg+`"`) || !strings.Contains(string(jwk), `"alg":"`+alg+`"`) ||
				strings.Contains(string(jwk), `"d"`) {
				t.Fatalf("JWKS entry: %s", jwk)
			}
			tok := strings.TrimSpace(runOK(t, "token", "--key", priv, "--doc", "notes", "--perm", "write", "--sub", "ada"))
			p, err := verifierFor(t, jwk).Verify(tok)
			if err != nil || p.KeyID != "k-"+alg || p.Subject != "ada" || !p.Access("notes").Write {
				t.Fatalf("token: %+v %v", p, err)
			}
			// The generated key refuses to overwrite an existing file.
			var errOut bytes.Buffer
			if code := run([]string{"keys", "gen", "--alg", alg, "--kid", "again", "--private-out", priv}, nil, &bytes.Buffer{}, &errOut); code == 0 {
				t.Fatal("keys gen overwrote an existing private key")
			}
		})
	}
}

func TestKeysGenHS256AndTokenWithKid(t *testing.T) {
	out := runOK(t, "keys", "gen", "--alg", "HS256", "--kid", "hs-1")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || len(lines[0]) < 32 {
		t.Fatalf("want the secret then the JWK, got %q", out)
	}
	secret, jwk := lines[0], []byte(lines[1])
	tok := strings.TrimSpace(runOK(t, "token", "--jwt-secret", secret, "--kid", "hs-1", "--doc", "d"))
	p, err := verifierFor(t, jwk).Verify(tok)
	if err != nil || p.KeyID != "hs-1" {
		t.Fatalf("HS256 token with kid: %+v %v", p, err)
	}
	// The kid selects the key: a wrong kid is refused even with the right secret.
	wrong := strings.TrimSpace(runOK(t, "token", "--jwt-secret", secret, "--kid", "hs-0", "--doc", "d"))
	if _, err := verifierFor(t, jwk).Verify(wrong); err == nil {
		t.Fatal("token naming an unknown kid accepted")
	}
	var errOut bytes.Buffer
	if code := run([]string{"token", "--jwt-secret", secret, "--key", "x.pem", "--doc", "d"}, nil, &bytes.Buffer{}, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "not both") {
		t.Fatalf("secret and key together: exit %d %q", code, errOut.String())
	}
}

func TestKeysJWKSAndPEMFromFiles(t *testing.T) {
	dir := t.TempDir()
	priv := filepath.Join(dir, "signing.pem")
	runOK(t, "keys", "gen", "--alg", "ES256", "--kid", "es-9", "--private-out", priv, "--jwks-out", filepath.Join(dir, "e.jwk"))
	// A bare public key without kid: its thumbprint becomes the kid.
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(k.Public())
	bare := filepath.Join(dir, "bare.pem")
	_ = os.WriteFile(bare, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
	thumb, _ := auth.Thumbprint(k.Public())

	set := runOK(t, "keys", "jwks", priv, bare)
	pub, err := auth.ParseJWKS([]byte(set))
	if err != nil || len(pub) != 2 || pub[0].ID != "es-9" || pub[1].ID != thumb {
		t.Fatalf("jwks: %v %+v\n%s", err, pub, set)
	}
	if strings.Contains(set, `"d"`) {
		t.Fatal("a private component reached the JWKS")
	}
	pemOut := runOK(t, "keys", "pem", priv)
	keys, err := auth.ParsePublicKeysPEM([]byte(pemOut))
	if err != nil || len(keys) != 1 || keys[0].ID != "es-9" || strings.Contains(pemOut, "PRIVATE") {
		t.Fatalf("pem: %v %+v\n%s", err, keys, pemOut)
	}
	var errOut bytes.Buffer
	if code := run([]string{"keys", "rotate"}, nil, &bytes.Buffer{}, &errOut); code != 2 {
		t.Fatalf("unknown tool: exit %d", code)
	}
}
