package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// fault is one injected failure and the action that undoes it.
type fault struct {
	name   string
	hold   time.Duration // how long it lasts before it is healed
	inject func(ctx context.Context) error
	heal   func(ctx context.Context) error
}

// nemesis injects faults one after another and guarantees that each injected fault is healed, even when
// the run is cancelled or a later step fails (see healAll).
type nemesis struct {
	log    io.Writer
	start  time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	active []fault // injected, not healed yet, in injection order
	events []string
}

func newNemesis(log io.Writer) *nemesis {
	return &nemesis{log: log, start: time.Now(), sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (n *nemesis) logf(format string, args ...any) {
	line := fmt.Sprintf("[%6.1fs] ", time.Since(n.start).Seconds()) + fmt.Sprintf(format, args...)
	n.events = append(n.events, line)
	fmt.Fprintln(n.log, line)
}

// run waits settle, then injects, holds and heals each fault in turn. It returns when the last fault is
// healed: the heal time the convergence clock starts from.
func (n *nemesis) run(ctx context.Context, settle time.Duration, faults []fault) error {
	for _, f := range faults {
		if err := n.sleep(ctx, settle); err != nil {
			return err
		}
		n.logf("inject: %s for %s", f.name, f.hold)
		if err := f.inject(ctx); err != nil {
			// A half-applied fault (one container of a region cut) still gets its heal attempted.
			n.active = append(n.active, f)
			return fmt.Errorf("injecting %s: %w", f.name, err)
		}
		n.active = append(n.active, f)
		if err := n.sleep(ctx, f.hold); err != nil {
			return err
		}
		if err := n.healLast(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (n *nemesis) healLast(ctx context.Context) error {
	f := n.active[len(n.active)-1]
	if err := f.heal(ctx); err != nil {
		return fmt.Errorf("healing %s: %w", f.name, err)
	}
	n.active = n.active[:len(n.active)-1]
	n.logf("healed: %s", f.name)
	return nil
}

// healAll undoes every fault still active, newest first, with its own deadline (the run's context may
// be what was cancelled). Each is tried even if another fails.
func (n *nemesis) healAll(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var errs []error
	for len(n.active) > 0 {
		f := n.active[len(n.active)-1]
		n.active = n.active[:len(n.active)-1]
		if err := f.heal(ctx); err != nil {
			errs = append(errs, fmt.Errorf("healing %s: %w", f.name, err))
			continue
		}
		n.logf("healed on exit: %s", f.name)
	}
	return errors.Join(errs...)
}

// deploymentFaults builds the configured faults against a compose project: cut a region off the wan
// network, SIGKILL and restart a node, pause a node.
func deploymentFaults(ctx context.Context, c config, d composeDocker) ([]fault, error) {
	var faults []fault
	if c.Cut != "" {
		f, err := cutRegion(ctx, c, d)
		if err != nil {
			return nil, err
		}
		faults = append(faults, f)
	}
	if c.Kill != "" {
		id, err := d.container(ctx, c.Kill)
		if err != nil {
			return nil, err
		}
		faults = append(faults, fault{
			name: "SIGKILL " + c.Kill, hold: c.DownFor,
			inject: func(ctx context.Context) error { return d.simple(ctx, "kill", "--signal", "KILL", id) },
			// `docker start` of a container its restart policy already brought back is a no-op.
			heal: func(ctx context.Context) error { return d.simple(ctx, "start", id) },
		})
	}
	if c.Pause != "" {
		id, err := d.container(ctx, c.Pause)
		if err != nil {
			return nil, err
		}
		faults = append(faults, fault{
			name: "pause " + c.Pause, hold: c.PauseFor,
			inject: func(ctx context.Context) error { return d.simple(ctx, "pause", id) },
			heal:   func(ctx context.Context) error { return d.simple(ctx, "unpause", id) },
		})
	}
	return faults, nil
}

// cutRegion disconnects every container of a region from the inter-region network. Their edge networks
// stay, so the region's clients (here, the writers) keep reaching them: a region cut off from the others
// still serves its own users.
func cutRegion(ctx context.Context, c config, d composeDocker) (fault, error) {
	network, err := d.network(ctx, c.Network)
	if err != nil {
		return fault{}, err
	}
	type attached struct {
		id string
		ep endpoint
	}
	var members []attached
	for _, s := range c.servicesIn(c.Cut) {
		id, err := d.container(ctx, s)
		if err != nil {
			return fault{}, err
		}
		ep, err := d.endpointOn(ctx, id, network)
		if err != nil {
			return fault{}, err
		}
		members = append(members, attached{id, ep})
	}
	cut := map[string]bool{}
	return fault{
		name: fmt.Sprintf("cut region %s off network %s", c.Cut, network), hold: c.CutFor,
		inject: func(ctx context.Context) error {
			for _, m := range members {
				if err := d.disconnect(ctx, network, m.id); err != nil {
					return err
				}
				cut[m.id] = true
			}
			return nil
		},
		heal: func(ctx context.Context) error {
			var errs []error
			for _, m := range members {
				if !cut[m.id] {
					continue
				}
				if err := d.reconnect(ctx, network, m.id, m.ep); err != nil {
					errs = append(errs, err)
					continue
				}
				delete(cut, m.id)
			}
			return errors.Join(errs...)
		},
	}, nil
}
