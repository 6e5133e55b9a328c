package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeDocker answers the few queries the nemesis makes, for a compose project "p" whose containers are
// named id-<service>, and records every command.
type fakeDocker struct {
	mu       sync.Mutex
	commands []string
	failOn   string // a command prefix that fails
}

func (f *fakeDocker) docker(_ context.Context, args ...string) (string, error) {
	cmd := strings.Join(args, " ")
	f.mu.Lock()
	f.commands = append(f.commands, cmd)
	f.mu.Unlock()
	if f.failOn != "" && strings.HasPrefix(cmd, f.failOn) {
		return "", errors.New("injected failure")
	}
	switch args[0] {
	case "ps":
		for _, a := range args {
			if s, ok := strings.CutPrefix(a, "label=com.docker.compose.service="); ok {
				return "id-" + s, nil
			}
		}
	case "network":
		if args[1] == "ls" {
			return "p_wan", nil
		}
		return "", nil
	case "inspect":
		c := args[len(args)-1]
		return fmt.Sprintf(`{"p_wan":{"IPAddress":"10.9.9.%d","Aliases":["%s","id-"]},"p_edge":{"IPAddress":"10.8.0.2"}}`,
			len(c), strings.TrimPrefix(c, "id-")), nil
	}
	return "", nil
}

func (f *fakeDocker) mutating() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.commands {
		if !strings.HasPrefix(c, "ps ") && !strings.HasPrefix(c, "inspect ") && !strings.HasPrefix(c, "network ls") {
			out = append(out, c)
		}
	}
	return out
}

func testConfig() config {
	return config{Project: "p", Network: "wan", Cut: "eu", Kill: "us-1", Pause: "ap-1",
		CutFor: time.Millisecond, DownFor: time.Millisecond, PauseFor: time.Millisecond,
		Nodes: []node{{"eu", "eu-1", "a:1"}, {"eu", "eu-2", "a:2"}, {"us", "us-1", "a:3"}, {"ap", "ap-1", "a:4"}}}
}

func TestNemesisInjectsAndHealsEachFaultInOrder(t *testing.T) {
	fd := &fakeDocker{}
	ctx := context.Background()
	faults, err := deploymentFaults(ctx, testConfig(), composeDocker{run: fd, project: "p"})
	if err != nil {
		t.Fatal(err)
	}
	n := newNemesis(io.Discard)
	if err := n.run(ctx, time.Millisecond, faults); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"network disconnect p_wan id-eu-1",
		"network disconnect p_wan id-eu-2",
		"network connect --ip 10.9.9.7 --alias eu-1 p_wan id-eu-1", // the old address and alias, not the id alias
		"network connect --ip 10.9.9.7 --alias eu-2 p_wan id-eu-2",
		"kill --signal KILL id-us-1",
		"start id-us-1",
		"pause id-ap-1",
		"unpause id-ap-1",
	}
	if got := fd.mutating(); !slices.Equal(got, want) {
		t.Fatalf("commands:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(n.active) != 0 {
		t.Fatalf("faults left active: %d", len(n.active))
	}
}

func TestNemesisHealsTheActiveFaultWhenInterrupted(t *testing.T) {
	fd := &fakeDocker{}
	cfg := testConfig()
	cfg.Cut, cfg.Kill = "", ""
	cfg.PauseFor = time.Hour
	faults, err := deploymentFaults(context.Background(), cfg, composeDocker{run: fd, project: "p"})
	if err != nil {
		t.Fatal(err)
	}
	n := newNemesis(io.Discard)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := n.run(ctx, 0, faults); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("run = %v, want the deadline", err)
	}
	if err := n.healAll(time.Second); err != nil {
		t.Fatal(err)
	}
	if got, want := fd.mutating(), []string{"pause id-ap-1", "unpause id-ap-1"}; !slices.Equal(got, want) {
		t.Fatalf("commands %v, want %v: the paused container must be unpaused on the way out", got, want)
	}
}

func TestNemesisReconnectsOnlyWhatAHalfDoneCutDisconnected(t *testing.T) {
	fd := &fakeDocker{failOn: "network disconnect p_wan id-eu-2"}
	cfg := testConfig()
	cfg.Kill, cfg.Pause = "", ""
	faults, err := deploymentFaults(context.Background(), cfg, composeDocker{run: fd, project: "p"})
	if err != nil {
		t.Fatal(err)
	}
	n := newNemesis(io.Discard)
	if err := n.run(context.Background(), 0, faults); err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("run = %v, want the injection failure", err)
	}
	if err := n.healAll(time.Second); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"network disconnect p_wan id-eu-1",
		"network disconnect p_wan id-eu-2",
		"network connect --ip 10.9.9.7 --alias eu-1 p_wan id-eu-1",
	}
	if got := fd.mutating(); !slices.Equal(got, want) {
		t.Fatalf("commands %v, want %v", got, want)
	}
}

func TestDeploymentFaultsReportsAMissingContainer(t *testing.T) {
	cfg := testConfig()
	_, err := deploymentFaults(context.Background(), cfg, composeDocker{run: emptyDocker{}, project: "p"})
	if err == nil || !strings.Contains(err.Error(), "found 0") {
		t.Fatalf("err = %v, want a clear 'found 0'", err)
	}
}

type emptyDocker struct{}

func (emptyDocker) docker(context.Context, ...string) (string, error) { return "", nil }
