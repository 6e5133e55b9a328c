package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func env(token string) func(string) string {
	return func(k string) string {
		if k == "MERIDIAN_TOKEN" {
			return token
		}
		return ""
	}
}

func TestParseConfigReadsNodesAndFaults(t *testing.T) {
	c, err := parseConfig([]string{"--project", "p", "--docs", "2", "--run-id", "r1",
		"--nodes", "eu/eu-1=127.0.0.1:1, eu/eu-2=127.0.0.1:2,us/us-1=127.0.0.1:3",
		"--cut", "eu", "--kill", "eu-2", "--pause", "us-1"}, io.Discard, env("tok"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Nodes) != 3 || c.Nodes[1] != (node{"eu", "eu-2", "127.0.0.1:2"}) || c.Token != "tok" {
		t.Fatalf("config %+v", c)
	}
	if got := c.servicesIn("eu"); !slices.Equal(got, []string{"eu-1", "eu-2"}) {
		t.Errorf("servicesIn(eu) = %v", got)
	}
	if got := c.regions(); !slices.Equal(got, []string{"eu", "us"}) {
		t.Errorf("regions = %v", got)
	}
	if got := c.docIDs(); !slices.Equal(got, []string{"chaos/r1/doc-0", "chaos/r1/doc-1"}) {
		t.Errorf("docIDs = %v", got)
	}
	if g := c.groups(); len(g) != 1 || len(g[0]) != 3 {
		t.Errorf("replicated groups = %v", g)
	}
	c.Expect = Isolated
	if g := c.groups(); len(g) != 3 {
		t.Errorf("isolated groups = %v", g)
	}
}

func TestParseConfigExplainsWhatIsWrong(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--project", "p"}, "--nodes is required"},
		{[]string{"--project", "p", "--nodes", "eu-1=127.0.0.1:1"}, "want region/service=host:port"},
		{[]string{"--project", "p", "--nodes", "eu/eu-1=nowhere"}, "missing port"},
		{[]string{"--project", "p", "--nodes", "eu/a=h:1,us/a=h:2"}, "listed twice"},
		{[]string{"--nodes", "eu/a=h:1"}, "--project is required"},
		{[]string{"--project", "p", "--nodes", "eu/a=h:1", "--cut", "mars"}, `--cut "mars"`},
		{[]string{"--project", "p", "--nodes", "eu/a=h:1", "--kill", "b"}, `"b" is not a service`},
		{[]string{"--project", "p", "--nodes", "eu/a=h:1", "--expect", "maybe"}, "want replicated or isolated"},
	}
	for _, tc := range cases {
		_, err := parseConfig(tc.args, io.Discard, env("tok"))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to mention %q", tc.args, err, tc.want)
		}
	}
	_, err := parseConfig([]string{"--project", "p", "--nodes", "eu/a=h:1"}, io.Discard, env(""))
	if err == nil || !strings.Contains(err.Error(), "MERIDIAN_TOKEN") {
		t.Errorf("no token: err = %v", err)
	}
}
