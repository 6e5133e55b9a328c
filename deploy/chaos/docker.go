package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
)

// dockerRunner runs one docker CLI command and returns its trimmed stdout. The nemesis uses nothing but
// the CLI, so it works with any engine the CLI talks to; tests replace it with a recorder.
type dockerRunner interface {
	docker(ctx context.Context, args ...string) (string, error)
}

type dockerCLI struct{ bin string }

func (d dockerCLI) docker(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, d.bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errOut.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// composeDocker finds a compose project's containers and networks by the labels compose puts on them
// (com.docker.compose.project/service/network), which v1 and v2 of compose both set.
type composeDocker struct {
	run     dockerRunner
	project string
}

// container returns the id of the one container of a service.
func (c composeDocker) container(ctx context.Context, service string) (string, error) {
	out, err := c.run.docker(ctx, "ps", "-aq", "--no-trunc",
		"--filter", "label=com.docker.compose.project="+c.project,
		"--filter", "label=com.docker.compose.service="+service)
	if err != nil {
		return "", err
	}
	ids := strings.Fields(out)
	if len(ids) != 1 {
		return "", fmt.Errorf("compose project %s: want one container of service %s, found %d", c.project, service, len(ids))
	}
	return ids[0], nil
}

// network returns the docker name of the project's network called name in the compose file.
func (c composeDocker) network(ctx context.Context, name string) (string, error) {
	out, err := c.run.docker(ctx, "network", "ls", "--format", "{{.Name}}",
		"--filter", "label=com.docker.compose.project="+c.project,
		"--filter", "label=com.docker.compose.network="+name)
	if err != nil {
		return "", err
	}
	names := strings.Fields(out)
	if len(names) != 1 {
		return "", fmt.Errorf("compose project %s: want one network %s, found %d", c.project, name, len(names))
	}
	return names[0], nil
}

// endpoint is a container's attachment to a network: what reconnecting must restore.
type endpoint struct {
	IP      string
	Aliases []string
}

// endpointOn reads the container's address and aliases on network.
func (c composeDocker) endpointOn(ctx context.Context, container, network string) (endpoint, error) {
	out, err := c.run.docker(ctx, "inspect", "--format", "{{json .NetworkSettings.Networks}}", container)
	if err != nil {
		return endpoint{}, err
	}
	var nets map[string]struct {
		IPAddress string   `json:"IPAddress"`
		Aliases   []string `json:"Aliases"`
	}
	if err := json.Unmarshal([]byte(out), &nets); err != nil {
		return endpoint{}, fmt.Errorf("docker inspect %s: %w", container, err)
	}
	n, ok := nets[network]
	if !ok || n.IPAddress == "" {
		return endpoint{}, fmt.Errorf("container %.12s is not attached to network %s", container, network)
	}
	return endpoint{IP: n.IPAddress, Aliases: n.Aliases}, nil
}

func (c composeDocker) disconnect(ctx context.Context, network, container string) error {
	_, err := c.run.docker(ctx, "network", "disconnect", network, container)
	return err
}

// reconnect attaches the container again with its old address: gossip identities are addresses, and a
// node that came back elsewhere would be refused until its old self is declared dead.
func (c composeDocker) reconnect(ctx context.Context, network, container string, ep endpoint) error {
	args := []string{"network", "connect", "--ip", ep.IP}
	for _, a := range ep.Aliases {
		// Docker adds the short container id itself; repeating it is refused by some engines.
		if !strings.HasPrefix(container, a) {
			args = append(args, "--alias", a)
		}
	}
	_, err := c.run.docker(ctx, append(args, network, container)...)
	return err
}

func (c composeDocker) simple(ctx context.Context, verb string, args ...string) error {
	_, err := c.run.docker(ctx, append([]string{verb}, args...)...)
	return err
}
