package membership

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func startKeyedSerf(t *testing.T, id string, key []byte, keyringFile string) *Serf {
	t.Helper()
	s, err := NewSerf(SerfConfig{Cluster: "prod", Self: Member{ID: id, Region: "r", PeerAddr: "127.0.0.1:1", Version: 1},
		GossipAddr: freePort(t), ClusterKey: key, KeyringFile: keyringFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Leave() })
	return s
}

func gossipAddr(s *Serf) string { return fmt.Sprintf("127.0.0.1:%d", s.serf.LocalMember().Port) }

func primaryOf(s *Serf) []byte { return s.Keys()[0] }

func TestKeyRotationOnALiveClusterCutsOffTheOldKey(t *testing.T) {
	oldKey, newKey := []byte("the old cluster key, long enough"), []byte("the new cluster key, long enough")
	dir := t.TempDir()
	nodes := []*Serf{startKeyedSerf(t, "r/a", oldKey, filepath.Join(dir, "a.keyring"))}
	for _, id := range []string{"r/b", "r/c"} {
		n := startKeyedSerf(t, id, oldKey, filepath.Join(dir, id[2:]+".keyring"))
		if _, err := n.serf.Join([]string{gossipAddr(nodes[0])}, true); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, n)
	}
	for _, n := range nodes {
		waitFor(t, "a full cluster", func() bool { return len(n.Members()) == 2 })
	}

	if _, err := nodes[1].InstallKey(newKey); err != nil {
		t.Fatalf("install: %v", err)
	}
	rep, err := nodes[2].ListKeys()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Nodes != 3 || len(rep.Keys) != 2 || rep.Keys[0].PrimaryOn != 3 || rep.Keys[1].InstalledOn != 3 {
		t.Fatalf("after install: %+v", rep)
	}
	if rep.Keys[0].Fingerprint != Fingerprint(DeriveKey(oldKey)) || rep.Keys[1].Fingerprint != Fingerprint(DeriveKey(newKey)) {
		t.Fatalf("fingerprints %+v", rep.Keys)
	}
	if _, err := nodes[0].RemoveKey(oldKey); err == nil {
		t.Fatal("removing the primary key must be refused")
	}
	if _, err := nodes[0].UseKey(newKey); err != nil {
		t.Fatalf("use: %v", err)
	}
	if _, err := nodes[0].RemoveKey(oldKey); err != nil {
		t.Fatalf("remove: %v", err)
	}
	for _, n := range nodes {
		if ks := n.Keys(); len(ks) != 1 || !bytes.Equal(ks[0], DeriveKey(newKey)) {
			t.Fatalf("%s keyring after rotation: %d keys", n.cfg.Self.ID, len(ks))
		}
		if len(n.Members()) != 2 {
			t.Fatalf("%s lost members during the rotation", n.cfg.Self.ID)
		}
	}

	stale := startKeyedSerf(t, "r/stale", oldKey, "")
	if _, err := stale.serf.Join([]string{gossipAddr(nodes[0])}, true); err == nil {
		t.Fatal("a node holding only the removed key joined the gossip")
	}
	fresh := startKeyedSerf(t, "r/fresh", newKey, "")
	if _, err := fresh.serf.Join([]string{gossipAddr(nodes[0])}, true); err != nil {
		t.Fatalf("a node with the new key cannot join: %v", err)
	}

	// The keyring file outlives the node: restarted with its old --cluster-key, c keeps the new keyring.
	nodes[2].Leave()
	restarted := startKeyedSerf(t, "r/c", oldKey, filepath.Join(dir, "c.keyring"))
	if ks := restarted.Keys(); len(ks) != 1 || !bytes.Equal(ks[0], DeriveKey(newKey)) {
		t.Fatalf("restarted keyring: %d keys, primary %s", len(ks), Fingerprint(primaryOf(restarted)))
	}
	if _, err := restarted.serf.Join([]string{gossipAddr(nodes[0])}, true); err != nil {
		t.Fatalf("the restarted node cannot rejoin: %v", err)
	}
}

func TestNodeWithAnotherKeyCannotJoin(t *testing.T) {
	a := startKeyedSerf(t, "r/a", []byte("cluster key number one!!"), "")
	x := startKeyedSerf(t, "r/x", []byte("cluster key number two!!"), "")
	if _, err := x.serf.Join([]string{gossipAddr(a)}, true); err == nil {
		t.Fatal("a node with another cluster key joined")
	}
	if len(a.Members()) != 0 {
		t.Fatalf("a lists %d members", len(a.Members()))
	}
}

func TestKeyringOperationsRefuseShortKeys(t *testing.T) {
	a := startKeyedSerf(t, "r/a", []byte("a cluster key of some length"), "")
	for _, op := range []func([]byte) (KeyringReport, error){a.InstallKey, a.UseKey, a.RemoveKey} {
		if _, err := op([]byte("short")); !errors.Is(err, ErrKeyring) {
			t.Fatalf("a 5-byte key: %v, want ErrKeyring", err)
		}
	}
	if _, err := a.UseKey([]byte("a key that is not installed")); err == nil {
		t.Fatal("using a key that is not installed must fail")
	}
}

func TestKeyringFileValidation(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{"not json": "{", "empty": "[]", "bad base64": `["***"]`, "bad length": `["AAAA"]`}
	for name, content := range cases {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := loadKeyring(path, []byte("cluster key"), nil); !errors.Is(err, ErrKeyring) {
			t.Fatalf("%s: %v, want ErrKeyring", name, err)
		}
	}
	kr, err := loadKeyring(filepath.Join(dir, "absent"), []byte("cluster key"), nil)
	if err != nil || !bytes.Equal(kr.GetPrimaryKey(), DeriveKey([]byte("cluster key"))) {
		t.Fatalf("without a file the cluster key is the keyring: %v", err)
	}
}

func TestDeriveKeyAndFingerprint(t *testing.T) {
	k16 := []byte("0123456789abcdef")
	if !bytes.Equal(DeriveKey(k16), k16) {
		t.Fatal("a 16-byte key is an AES key as it is")
	}
	if d := DeriveKey([]byte("a passphrase of another length")); len(d) != 32 {
		t.Fatalf("derived %d bytes", len(d))
	}
	f := Fingerprint(k16)
	if len(f) != len("sha256:")+16 || bytes.Contains([]byte(f), k16) {
		t.Fatalf("fingerprint %q", f)
	}
}

func FuzzReadKeyringFile(f *testing.F) {
	f.Add([]byte(`["MDEyMzQ1Njc4OWFiY2RlZg=="]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "keyring")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		keys, err := readKeyringFile(path)
		if err != nil {
			return
		}
		for _, k := range keys {
			if n := len(k); n != 16 && n != 24 && n != 32 {
				t.Fatalf("accepted a %d-byte key", n)
			}
		}
	})
}
