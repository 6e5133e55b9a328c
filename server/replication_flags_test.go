package server

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func TestRejoinAndRepairBudgetFlags(t *testing.T) {
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	RegisterServeFlags(fs, &cfg)
	env := map[string]string{"MERIDIAN_GOSSIP_RECONNECT_TIMEOUT": "2h"}
	if err := ApplyEnv(fs, func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"--repair-docs-per-second", "200", "--repair-bytes-per-second", "1000000",
		"--repair-latency-target", "25ms"}); err != nil {
		t.Fatal(err)
	}
	c := cfg.Cluster
	if c.ReconnectTimeout != 2*time.Hour || c.RepairDocsPerSecond != 200 || c.RepairBytesPerSecond != 1000000 ||
		c.RepairLatencyTarget != 25*time.Millisecond {
		t.Fatalf("rejoin and repair settings: %+v", c)
	}

	base := ClusterConfig{PeerAddr: "127.0.0.1:7947", GossipAddr: "127.0.0.1:7946", ClusterKey: strings.Repeat("k", 32)}
	for name, mutate := range map[string]func(*ClusterConfig){
		"--gossip-reconnect-timeout": func(c *ClusterConfig) { c.ReconnectTimeout = -time.Second },
		"--repair-docs-per-second":   func(c *ClusterConfig) { c.RepairDocsPerSecond = -1 },
		"--repair-latency-target":    func(c *ClusterConfig) { c.RepairLatencyTarget = -time.Millisecond },
	} {
		bad := base
		mutate(&bad)
		errs := bad.validate()
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), name) {
			t.Errorf("negative %s: %v", name, errs)
		}
	}
	if errs := base.validate(); len(errs) != 0 {
		t.Fatalf("zero values take the defaults: %v", errs)
	}
}
