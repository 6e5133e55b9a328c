package membership

import (
	"encoding/base64"
	"fmt"
	"sort"

	"github.com/hashicorp/serf/serf"
)

// KeyringReport is what the cluster answered to a keyring operation. It names keys by Fingerprint only.
type KeyringReport struct {
	Nodes     int               `json:"nodes"`            // members asked
	Responses int               `json:"responses"`        // members that answered
	Keys      []KeyringKey      `json:"keys,omitempty"`   // list: the keys installed across the cluster
	Errors    map[string]string `json:"errors,omitempty"` // member → why it refused or warned
}

// KeyringKey is one key as the members hold it.
type KeyringKey struct {
	Fingerprint string `json:"fingerprint"`
	InstalledOn int    `json:"installedOn"` // members holding it
	PrimaryOn   int    `json:"primaryOn"`   // members encrypting and proving with it
}

// Keys returns this node's keyring, the primary first. Peer-stream handshakes read it at every connection
// (transport.Identity.Keys), so they follow a rotation as soon as it reaches this node.
func (s *Serf) Keys() [][]byte {
	return s.keyring.GetKeys()
}

// ListKeys asks every member for its keyring.
func (s *Serf) ListKeys() (KeyringReport, error) {
	return report(s.serf.KeyManager().ListKeys())
}

// InstallKey adds a key to every member's keyring. Members then accept it (gossip and peer streams) but
// still use their primary, so installing is safe before every member has it.
func (s *Serf) InstallKey(secret []byte) (KeyringReport, error) {
	key, err := keyArg(secret)
	if err != nil {
		return KeyringReport{}, err
	}
	return report(s.serf.KeyManager().InstallKey(key))
}

// UseKey makes an installed key every member's primary. Install it on every member first.
func (s *Serf) UseKey(secret []byte) (KeyringReport, error) {
	key, err := keyArg(secret)
	if err != nil {
		return KeyringReport{}, err
	}
	return report(s.serf.KeyManager().UseKey(key))
}

// RemoveKey removes a key from every member's keyring; a member refuses to remove its primary. After it, a
// node holding only that key can neither gossip with the cluster nor open a peer stream.
func (s *Serf) RemoveKey(secret []byte) (KeyringReport, error) {
	key, err := keyArg(secret)
	if err != nil {
		return KeyringReport{}, err
	}
	return report(s.serf.KeyManager().RemoveKey(key))
}

// keyArg checks a cluster key and encodes its keyring key as serf's key manager takes it.
func keyArg(secret []byte) (string, error) {
	if len(secret) < MinClusterKeyLen {
		return "", fmt.Errorf("%w: a cluster key needs at least %d bytes, got %d (openssl rand -base64 32)",
			ErrKeyring, MinClusterKeyLen, len(secret))
	}
	return base64.StdEncoding.EncodeToString(DeriveKey(secret)), nil
}

// report turns serf's answer into a KeyringReport, replacing every key by its fingerprint.
func report(r *serf.KeyResponse, err error) (KeyringReport, error) {
	if r == nil {
		if err != nil {
			return KeyringReport{}, fmt.Errorf("%w: %v", ErrKeyring, err)
		}
		return KeyringReport{}, nil
	}
	out := KeyringReport{Nodes: r.NumNodes, Responses: r.NumResp}
	for encoded, n := range r.Keys {
		raw, decodeErr := base64.StdEncoding.DecodeString(encoded)
		if decodeErr != nil {
			continue
		}
		primaryOn := r.PrimaryKeys[encoded]
		out.Keys = append(out.Keys, KeyringKey{Fingerprint: Fingerprint(raw), InstalledOn: n, PrimaryOn: primaryOn})
	}
	sort.Slice(out.Keys, func(i, j int) bool {
		if out.Keys[i].PrimaryOn != out.Keys[j].PrimaryOn {
			return out.Keys[i].PrimaryOn > out.Keys[j].PrimaryOn
		}
		return out.Keys[i].Fingerprint < out.Keys[j].Fingerprint
	})
	if len(r.Messages) > 0 {
		out.Errors = r.Messages
	}
	if err != nil {
		return out, fmt.Errorf("%w: %v", ErrKeyring, err)
	}
	return out, nil
}
