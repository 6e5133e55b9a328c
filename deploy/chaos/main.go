package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run is main without the process, returning the exit code: 0 pass, 1 fail, 2 usage.
func run(args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cfg, err := parseConfig(args, stderr, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "chaos:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := execute(ctx, cfg, dockerCLI{bin: "docker"}, stdout)
	if rep != nil {
		rep.print(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "chaos:", err)
	}
	if err != nil || rep == nil || !rep.verdict.ok() {
		fmt.Fprintln(stdout, "chaos: 0 passed, 1 failed")
		return 1
	}
	fmt.Fprintln(stdout, "chaos: 1 passed, 0 failed")
	return 0
}

// execute runs the whole test against a running deployment. It returns a report whenever writes were
// made, also with an error, so a failed run still says what was acknowledged and lost.
func execute(ctx context.Context, cfg config, run dockerRunner, log io.Writer) (*report, error) {
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * cfg.Docs}}
	apis := map[string]*nodeAPI{}
	for _, n := range cfg.Nodes {
		apis[n.Service] = newNodeAPI(n.Addr, cfg.Token, httpClient)
	}
	nem := newNemesis(log)
	nem.logf("waiting for %d nodes to be ready (expect %s)", len(cfg.Nodes), cfg.Expect)
	if err := waitReady(ctx, cfg, apis); err != nil {
		return nil, err
	}
	d := composeDocker{run: run, project: cfg.Project}
	faults, err := deploymentFaults(ctx, cfg, d)
	if err != nil {
		return nil, fmt.Errorf("preparing the faults: %w", err)
	}

	var writers []*writer
	for _, n := range cfg.Nodes {
		for i, id := range cfg.docIDs() {
			writers = append(writers, newWriter(n.Service, id, i, apis[n.Service]))
		}
	}
	writeCtx, stopWriting := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, w := range writers {
		wg.Go(func() { w.run(writeCtx, cfg.WriteInterval, cfg.RequestTO) })
	}
	nem.logf("writing: %d writers (%d nodes × %d documents)", len(writers), len(cfg.Nodes), cfg.Docs)

	faultErr := nem.run(ctx, cfg.Settle, faults)
	if err := nem.healAll(time.Minute); err != nil {
		faultErr = errors.Join(faultErr, err)
	}
	healedAt := time.Now()
	if faultErr == nil {
		nem.logf("all faults healed; writing %s more", cfg.AfterHeal)
		faultErr = sleepCtx(ctx, cfg.AfterHeal)
	}
	stopWriting()
	wg.Wait()
	nem.logf("writers stopped; reading every document from every node")

	rep := &report{cfg: cfg, writers: writers, events: nem.events}
	// Keep the canonical order (node, then document) whatever order the goroutines finished in.
	records := make([]writeRecord, len(writers))
	for i, w := range writers {
		records[i] = writeRecord{Service: w.service, Doc: w.docID, Tokens: w.tokens, Acked: w.acked}
	}
	readCtx := ctx
	if ctx.Err() != nil {
		// Interrupted: still read once, so the report says what was stored.
		readCtx = context.WithoutCancel(ctx)
	}
	rep.verdict, rep.convergedAfter = awaitConvergence(readCtx, cfg, apis, records, healedAt, faultErr != nil)
	rep.runErr = faultErr
	return rep, faultErr
}

// waitReady waits for every node's /readyz and, for a replicated deployment, for every node to list every
// region in /v1/cluster: the writes must start on a formed cluster, or "lost" would mean "never joined".
func waitReady(ctx context.Context, cfg config, apis map[string]*nodeAPI) error {
	deadline := time.Now().Add(cfg.ReadyTimeout)
	want := cfg.regions()
	for {
		var waiting []string
		for _, n := range cfg.Nodes {
			rctx, cancel := context.WithTimeout(ctx, cfg.RequestTO)
			api := apis[n.Service]
			switch {
			case !api.ready(rctx):
				waiting = append(waiting, n.Service+": /readyz not ready")
			case cfg.Expect == Replicated:
				regions, err := api.regions(rctx)
				if err != nil {
					waiting = append(waiting, n.Service+": "+err.Error())
				} else if missing := missingFrom(want, regions); len(missing) > 0 {
					waiting = append(waiting, fmt.Sprintf("%s: /v1/cluster lists regions %v, missing %v", n.Service, regions, missing))
				}
			}
			cancel()
		}
		if len(waiting) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the cluster is not ready after %s: %v (with --expect replicated every node must see "+
				"every region; a server without replication can only be checked with --expect isolated)", cfg.ReadyTimeout, waiting)
		}
		if err := sleepCtx(ctx, time.Second); err != nil {
			return err
		}
	}
}

func missingFrom(want, have []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}

// awaitConvergence reads every document from every node once a second until every group agrees and
// holds every acknowledged token, or until the timeout; it returns the last verdict and, when converged,
// the time since the heal. once reads a single time (the run already failed: report, do not wait).
func awaitConvergence(ctx context.Context, cfg config, apis map[string]*nodeAPI, records []writeRecord,
	healedAt time.Time, once bool) (verdict, time.Duration) {
	deadline := healedAt.Add(cfg.ConvergeTimeout)
	for {
		obs := readAll(ctx, cfg, apis)
		v := judge(cfg.groups(), cfg.docIDs(), records, obs)
		if v.Converged && v.Lost == 0 {
			return v, time.Since(healedAt)
		}
		if once || time.Now().After(deadline) || sleepCtx(ctx, time.Second) != nil {
			return v, -1
		}
	}
}

// readAll fetches and decodes every document on every node, concurrently.
func readAll(ctx context.Context, cfg config, apis map[string]*nodeAPI) observations {
	obs := observations{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, id := range cfg.docIDs() {
		obs[id] = map[string]observation{}
		for _, n := range cfg.Nodes {
			wg.Go(func() {
				rctx, cancel := context.WithTimeout(ctx, cfg.RequestTO)
				defer cancel()
				var o observation
				if b, err := apis[n.Service].state(rctx, id); err != nil {
					o.Err = err
				} else {
					o.State, o.Err = decodeState(b)
				}
				mu.Lock()
				obs[id][n.Service] = o
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	return obs
}
