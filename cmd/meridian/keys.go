package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/meridian-sync/meridian/server/auth"
)

// runKeys is `meridian keys`: the tools of a token key rotation (see SECURITY.md, "Rotating keys").
//
//	meridian keys gen --alg ES256 --kid 2026-01 [--private-out k.pem] [--jwks-out k.jwk]
//	meridian keys jwks FILE.pem...     a JWKS of the public halves, for --jwks-file or a JWKS URL
//	meridian keys pem FILE.pem         the public key as PEM with its kid, for --jwt-public-keys
//	meridian keys cluster list|install|use|remove --url URL   the cluster key's rotation (keys_cluster.go)
func runKeys(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, keysUsage)
		return errUsage
	}
	switch args[0] {
	case "gen":
		return keysGen(args[1:], stdout, stderr)
	case "jwks":
		return keysJWKS(args[1:], stdout, stderr)
	case "pem":
		return keysPEM(args[1:], stdout, stderr)
	case "cluster":
		return keysCluster(args[1:], stdin, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprintln(stderr, keysUsage)
		return nil
	}
	fmt.Fprintf(stderr, "meridian keys: unknown tool %q\n\n%s\n", args[0], keysUsage)
	return errUsage
}

const keysUsage = `Usage: meridian keys <tool> [arguments]

  gen --alg ES256|EdDSA|RS256|HS256 --kid KID [--private-out FILE] [--jwks-out FILE]
        make a signing key: the private PEM (or, for HS256, the secret) and its JWKS entry
  jwks FILE.pem...
        print a JWKS ({"keys":[...]}) of the public halves of PEM keys (public or private);
        a key's kid is its PEM "kid:" header, else its RFC 7638 thumbprint
  pem FILE.pem
        print the public half of a PEM key as a PUBLIC KEY block with its kid (for --jwt-public-keys)
  cluster list|install|use|remove --url URL [--key-file FILE]
        rotate the cluster key of a live cluster through a node's admin API (MERIDIAN_TOKEN: admin)`

func keysGen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	alg := fs.String("alg", "ES256", "ES256, EdDSA, RS256 (private key) or HS256 (shared secret)")
	kid := fs.String("kid", "", "key id tokens will name (required; a date such as 2026-01 makes rotations readable)")
	privateOut := fs.String("private-out", "", "write the private key (or secret) to this file, mode 0600, instead of stdout")
	jwksOut := fs.String("jwks-out", "", "write the JWKS entry to this file instead of stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kid == "" {
		fmt.Fprintln(stderr, "meridian keys gen: --kid is required: tokens select their key by it during a rotation")
		return errUsage
	}
	private, entry, err := generateKey(*alg, *kid)
	if err != nil {
		return err
	}
	if err := emit(*privateOut, private, 0o600, stdout); err != nil {
		return err
	}
	return emit(*jwksOut, append(entry, '\n'), 0o644, stdout)
}

// generateKey returns the secret part (a PEM private key with a kid header, or an HS256 secret line) and
// the JWK to publish.
func generateKey(alg, kid string) (secret, entry []byte, err error) {
	var signer crypto.Signer
	switch alg {
	case "ES256":
		signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "EdDSA":
		_, signer, err = ed25519.GenerateKey(rand.Reader)
	case "RS256":
		signer, err = rsa.GenerateKey(rand.Reader, 3072)
	case "HS256":
		raw := make([]byte, 48)
		if _, err := rand.Read(raw); err != nil {
			return nil, nil, err
		}
		// The secret is the printable string itself, as MERIDIAN_JWT_SECRET takes it.
		s := auth.Secret{ID: kid, Key: []byte(base64.RawURLEncoding.EncodeToString(raw))}
		entry, err := auth.SecretJWK(s)
		if err != nil {
			return nil, nil, err
		}
		return []byte(string(s.Key) + "\n"), entry, nil
	default:
		return nil, nil, fmt.Errorf("--alg %q: want ES256, EdDSA, RS256 or HS256", alg)
	}
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(signer)
	if err != nil {
		return nil, nil, err
	}
	secret = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{auth.PEMKeyIDHeader: kid}, Bytes: der})
	entry, err = auth.PublicJWK(auth.PublicKey{ID: kid, Key: signer.Public()})
	return secret, entry, err
}

func emit(path string, data []byte, mode os.FileMode, stdout io.Writer) error {
	if path == "" {
		_, err := stdout.Write(data)
		return err
	}
	// O_EXCL: never overwrite a key that may still be in use.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// publicKeysOf reads every key of a PEM file, private or public, as its public half with a kid.
func publicKeysOf(path string) ([]auth.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []auth.PublicKey
	if sk, err := auth.ParsePrivateKeyPEM(data); err == nil {
		keys = append(keys, auth.PublicKey{ID: sk.ID, Key: sk.Private.Public()})
	} else if pub, perr := auth.ParsePublicKeysPEM(data); perr == nil {
		keys = pub
	} else {
		return nil, fmt.Errorf("%s: neither a private key (%v) nor public keys (%v)", path, err, perr)
	}
	for i := range keys {
		if keys[i].ID == "" {
			if keys[i].ID, err = auth.Thumbprint(keys[i].Key); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	return keys, nil
}

func keysJWKS(files []string, stdout, stderr io.Writer) error {
	if len(files) == 0 {
		fmt.Fprintln(stderr, "meridian keys jwks: give one or more PEM files")
		return errUsage
	}
	doc := auth.JWKSDocument{Keys: []json.RawMessage{}}
	for _, f := range files {
		keys, err := publicKeysOf(f)
		if err != nil {
			return err
		}
		for _, k := range keys {
			j, err := auth.PublicJWK(k)
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			doc.Keys = append(doc.Keys, j)
		}
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

func keysPEM(files []string, stdout, stderr io.Writer) error {
	if len(files) != 1 {
		fmt.Fprintln(stderr, "meridian keys pem: give one PEM file")
		return errUsage
	}
	keys, err := publicKeysOf(files[0])
	if err != nil {
		return err
	}
	for _, k := range keys {
		out, err := auth.EncodePublicKeyPEM(k)
		if err != nil {
			return err
		}
		if _, err := stdout.Write(out); err != nil {
			return err
		}
	}
	return nil
}
