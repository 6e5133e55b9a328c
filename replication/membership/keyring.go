package membership

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/hashicorp/memberlist"
)

// ErrKeyring wraps refused keyring operations: a bad key, or members that did not apply a change.
var ErrKeyring = errors.New("meridian/replication/membership: cluster keyring")

// MinClusterKeyLen is the shortest cluster key accepted, as --cluster-key requires.
const MinClusterKeyLen = 16

// DeriveKey turns a cluster key as operators write it (--cluster-key, `meridian keys cluster install`) into
// a keyring key: a 16-, 24- or 32-byte key is an AES key as it is, any other length is hashed to 32 bytes.
// The same derivation everywhere means a node started with --cluster-key K holds the key installed as K.
func DeriveKey(secret []byte) []byte {
	switch len(secret) {
	case 16, 24, 32:
		return append([]byte(nil), secret...)
	}
	sum := sha256.Sum256(secret)
	return sum[:]
}

// Fingerprint names a keyring key in logs, audit lines and API answers without revealing it: "sha256:" and
// the first 8 bytes of the SHA-256 of the key, in hex.
func Fingerprint(key []byte) string {
	sum := sha256.Sum256(key)
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// loadKeyring builds the gossip keyring. The keyring file (serf writes it at every install, use and remove)
// wins over the cluster key: after a rotation the installed keys and the primary survive a restart even when
// the node's configuration still names the retired key. Without the file the cluster key alone is the
// keyring. A cluster key missing from the file is not added back, since that would re-admit a removed key;
// it is logged instead.
func loadKeyring(path string, clusterKey []byte, log *slog.Logger) (*memberlist.Keyring, error) {
	configured := DeriveKey(clusterKey)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if path == "" {
		return memberlist.NewKeyring(nil, configured)
	}
	keys, err := readKeyringFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return memberlist.NewKeyring(nil, configured)
	}
	if err != nil {
		return nil, err
	}
	found := false
	for _, k := range keys {
		found = found || bytes.Equal(k, configured)
	}
	if !found {
		log.Warn("the cluster key is not in the keyring file, which is in force: a rotation retired it. Set the "+
			"current key in --cluster-key (or delete the file to start over from --cluster-key)",
			"keyring_file", path, "cluster_key", Fingerprint(configured), "primary", Fingerprint(keys[0]))
	}
	return memberlist.NewKeyring(keys, keys[0])
}

// readKeyringFile parses serf's keyring file: a JSON array of base64 keys, the primary first.
func readKeyringFile(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var encoded []string
	if err := json.Unmarshal(b, &encoded); err != nil {
		return nil, fmt.Errorf("%w: keyring file %s: %v", ErrKeyring, path, err)
	}
	if len(encoded) == 0 {
		return nil, fmt.Errorf("%w: keyring file %s lists no key (delete it to start from --cluster-key)", ErrKeyring, path)
	}
	keys := make([][]byte, len(encoded))
	for i, e := range encoded {
		k, err := base64.StdEncoding.DecodeString(e)
		if err == nil {
			err = memberlist.ValidateKey(k)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: keyring file %s, key %d: %v", ErrKeyring, path, i+1, err)
		}
		keys[i] = k
	}
	return keys, nil
}
