package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// node is one Meridian node of the deployment: its compose service (also its container's service label),
// its region, and where the checker reaches its HTTP API (a published port on loopback).
type node struct {
	Region  string
	Service string
	Addr    string // host:port
}

// Expectation says which nodes should end up holding the same data.
type Expectation string

const (
	// Replicated: every node of every region converges on the same documents.
	Replicated Expectation = "replicated"
	// Isolated: each node keeps what was written through it (a deployment without replication); only
	// durability and per-node consistency are checked.
	Isolated Expectation = "isolated"
)

type config struct {
	Project string // compose project name: finds containers and the wan network by label
	Network string // compose network name of the inter-region links
	Nodes   []node
	Token   string
	Expect  Expectation

	Docs          int
	WriteInterval time.Duration
	RequestTO     time.Duration

	Cut      string // region to disconnect from the wan
	CutFor   time.Duration
	Kill     string // service to SIGKILL
	DownFor  time.Duration
	Pause    string // service to pause
	PauseFor time.Duration
	Settle   time.Duration // writes before the first fault and between faults

	AfterHeal       time.Duration
	ReadyTimeout    time.Duration
	ConvergeTimeout time.Duration
	RunID           string
}

// parseConfig reads the flags (and MERIDIAN_TOKEN) and checks that the faults name known nodes.
func parseConfig(args []string, stderr io.Writer, getenv func(string) string) (config, error) {
	var c config
	var nodes, expect string
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Project, "project", "", "compose project name (required)")
	fs.StringVar(&c.Network, "network", "wan", "compose network that links the regions")
	fs.StringVar(&nodes, "nodes", "", "region/service=host:port,... every node and its published HTTP address (required)")
	fs.StringVar(&expect, "expect", string(Replicated), "replicated: all nodes converge; isolated: each node on its own")
	fs.IntVar(&c.Docs, "docs", 3, "shared documents written")
	fs.DurationVar(&c.WriteInterval, "write-interval", 100*time.Millisecond, "pause between a writer's writes")
	fs.DurationVar(&c.RequestTO, "request-timeout", 3*time.Second, "give up on one HTTP request after this long")
	fs.StringVar(&c.Cut, "cut", "", "region to disconnect from the network (empty: none)")
	fs.DurationVar(&c.CutFor, "cut-for", 30*time.Second, "how long the region stays cut off")
	fs.StringVar(&c.Kill, "kill", "", "service to kill with SIGKILL and restart (empty: none)")
	fs.DurationVar(&c.DownFor, "down-for", 5*time.Second, "how long the killed node stays down")
	fs.StringVar(&c.Pause, "pause", "", "service to pause (empty: none)")
	fs.DurationVar(&c.PauseFor, "pause-for", 20*time.Second, "how long the paused node stays paused")
	fs.DurationVar(&c.Settle, "settle", 5*time.Second, "writing time before the first fault and between faults")
	fs.DurationVar(&c.AfterHeal, "after-heal", 0, "writing time after the last fault is healed (counted in the heal-to-convergence time)")
	fs.DurationVar(&c.ReadyTimeout, "ready-timeout", 90*time.Second, "wait this long for the cluster to be ready")
	fs.DurationVar(&c.ConvergeTimeout, "converge-timeout", 180*time.Second, "wait this long after the heal for convergence")
	fs.StringVar(&c.RunID, "run-id", "", "names this run's documents chaos/<run-id>/doc-N (default: from the clock)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() != 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.Token = getenv("MERIDIAN_TOKEN")
	if c.RunID == "" {
		c.RunID = time.Now().UTC().Format("20060102T150405")
	}
	var err error
	if c.Nodes, err = parseNodes(nodes); err != nil {
		return c, err
	}
	c.Expect = Expectation(expect)
	return c, c.validate()
}

// parseNodes parses "eu/eu-1=127.0.0.1:8081,us/us-1=127.0.0.1:8082".
func parseNodes(s string) ([]node, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("--nodes is required: region/service=host:port,...")
	}
	var out []node
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		name, addr, ok := strings.Cut(part, "=")
		region, service, ok2 := strings.Cut(name, "/")
		if !ok || !ok2 || region == "" || service == "" {
			return nil, fmt.Errorf("--nodes entry %q: want region/service=host:port", part)
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return nil, fmt.Errorf("--nodes entry %q: %v", part, err)
		}
		if seen[service] {
			return nil, fmt.Errorf("--nodes: service %q listed twice", service)
		}
		seen[service] = true
		out = append(out, node{Region: region, Service: service, Addr: addr})
	}
	return out, nil
}

func (c *config) validate() error {
	var errs []error
	if c.Project == "" {
		errs = append(errs, errors.New("--project is required (the compose project name)"))
	}
	if c.Expect != Replicated && c.Expect != Isolated {
		errs = append(errs, fmt.Errorf("--expect %q: want replicated or isolated", c.Expect))
	}
	if c.Docs < 1 {
		errs = append(errs, errors.New("--docs must be at least 1"))
	}
	if c.Token == "" {
		errs = append(errs, errors.New("MERIDIAN_TOKEN is not set: mint one with `meridian token --admin --doc 'chaos/*' --perm write`"))
	}
	if c.Cut != "" && len(c.servicesIn(c.Cut)) == 0 {
		errs = append(errs, fmt.Errorf("--cut %q: no node of --nodes is in that region", c.Cut))
	}
	for _, s := range []string{c.Kill, c.Pause} {
		if s != "" && c.node(s) == nil {
			errs = append(errs, fmt.Errorf("%q is not a service of --nodes", s))
		}
	}
	return errors.Join(errs...)
}

func (c *config) node(service string) *node {
	for i := range c.Nodes {
		if c.Nodes[i].Service == service {
			return &c.Nodes[i]
		}
	}
	return nil
}

func (c *config) servicesIn(region string) []string {
	var out []string
	for _, n := range c.Nodes {
		if n.Region == region {
			out = append(out, n.Service)
		}
	}
	return out
}

func (c *config) regions() []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range c.Nodes {
		if !seen[n.Region] {
			seen[n.Region] = true
			out = append(out, n.Region)
		}
	}
	return out
}

func (c *config) docIDs() []string {
	ids := make([]string, c.Docs)
	for i := range ids {
		ids[i] = fmt.Sprintf("chaos/%s/doc-%d", c.RunID, i)
	}
	return ids
}

// groups lists the sets of nodes that must end up identical.
func (c *config) groups() [][]string {
	if c.Expect == Isolated {
		out := make([][]string, len(c.Nodes))
		for i, n := range c.Nodes {
			out[i] = []string{n.Service}
		}
		return out
	}
	all := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		all[i] = n.Service
	}
	return [][]string{all}
}
