package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// benchEnv is what every scenario shares.
type benchEnv struct {
	serverCPUs string // taskset CPU list for the servers under test
	workDir    string // data directories and server logs
	logf       func(format string, args ...any)
}

// targetResult is everything measured for one target.
type targetResult struct {
	target   target
	steps    []fanoutStep
	memory   memoryResult
	cold     *coldLoadResult // nil: not measured (the server keeps no history)
	coldLog  *coldLoadResult // Meridian with compaction off: the history is replayed from the log
	failures []string
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		meridian   = flag.String("meridian", "bin/meridian", "the meridian binary")
		peers      = flag.String("peers", "server/bench/peers", "directory of the Node peer server scripts")
		targets    = flag.String("targets", "meridian,y-websocket-server,hocuspocus", "targets to measure, in order")
		serverCPUs = flag.String("server-cpus", "0", "taskset CPU list for the servers (empty: no pinning)")
		clients    = flag.Int("clients", 1000, "fan-out: connections")
		docs       = flag.Int("docs", 100, "fan-out: documents")
		rates      = flag.String("rates", "2,3,4,5,6,8,10,12,16,20,40", "fan-out: updates per second per client, one step each (empty: skip the fan-out)")
		window     = flag.Duration("window", 5*time.Second, "fan-out: measured span of each step")
		idle       = flag.Int("idle", 10000, "memory: idle connections (and idle documents); 0 skips")
		history    = flag.Int("history", 100000, "cold load: updates in the document's history; 0 skips")
		out        = flag.String("out", "", "also write the report (markdown) to this file")
		keep       = flag.Bool("keep", false, "keep the work directory (server data and logs) and print its path")
		cpuProfile = flag.String("cpuprofile", "", "write the generator's own CPU profile to this file (is it the bottleneck?)")
		timeline   = flag.String("timeline", "", "also write each fan-out step's latencies per 100 ms of send time to this file (TSV: target, rate, ms, deliveries, p50, p99, max)")
		rounds     = flag.Int("rounds", 1, "fan-out rounds: every target's ramp again, interleaved, and the medians of the issue's comparisons over the rounds (memory and cold load run in the first round only)")
	)
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rateList, err := parseRates(*rates)
	if err != nil {
		return err
	}
	workDir, err := os.MkdirTemp("", "meridian-bench-server-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "work directory:", workDir)
	} else {
		defer os.RemoveAll(workDir)
	}
	env := benchEnv{serverCPUs: *serverCPUs, workDir: workDir,
		logf: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }}
	cfg := fanoutConfig{clients: *clients, docs: *docs, rates: rateList, warmup: 2 * time.Second, window: *window,
		grace: time.Second, p99Limit: 50 * time.Millisecond}
	if *timeline != "" {
		f, err := os.Create(*timeline)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.timeline = f
	}

	if *rounds < 1 {
		return fmt.Errorf("-rounds: %d is not a positive count", *rounds)
	}
	var list []target
	for _, name := range strings.Split(*targets, ",") {
		switch name {
		case "meridian":
			list = append(list, meridianTarget(*meridian))
		case "y-websocket-server":
			list = append(list, yWebsocketServerTarget(*peers))
		case "hocuspocus":
			list = append(list, hocuspocusTarget(*peers))
		default:
			return fmt.Errorf("unknown target %q", name)
		}
	}
	ctx := context.Background()
	var results []targetResult
	for _, t := range list {
		results = append(results, measure(ctx, t, env, cfg, *idle, *history))
	}
	allRounds := [][]targetResult{results}
	for round := 2; round <= *rounds; round++ {
		env.logf("== round %d of %d (fan-out only)", round, *rounds)
		var again []targetResult
		for _, t := range list {
			again = append(again, measure(ctx, t, env, cfg, 0, 0))
		}
		allRounds = append(allRounds, again)
	}
	report := renderReport(results, cfg, *idle, *history) + renderRounds(allRounds, cfg)
	fmt.Print(report)
	if *out != "" {
		return os.WriteFile(*out, []byte(report), 0o644)
	}
	return nil
}

// measure runs every scenario against t; a failing scenario is reported, not fatal, so one broken peer does
// not hide the others' figures.
func measure(ctx context.Context, t target, env benchEnv, cfg fanoutConfig, idle, history int) targetResult {
	res := targetResult{target: t}
	fail := func(what string, err error) {
		env.logf("  %-18s %s failed: %v", t.name, what, err)
		res.failures = append(res.failures, fmt.Sprintf("%s: %v", what, err))
	}
	env.logf("== %s", t.name)
	if len(cfg.rates) > 0 {
		steps, err := runFanout(ctx, t, env, cfg)
		res.steps = steps
		if err != nil {
			fail("fan-out", err)
		}
	}
	var err error
	if idle > 0 {
		if res.memory, err = runMemory(ctx, t, env, idle); err != nil {
			fail("memory", err)
		}
	}
	if history > 0 && t.durable {
		cold, err := runColdLoad(ctx, t, env, history, nil)
		if err != nil {
			fail("cold load", err)
		} else {
			res.cold = &cold
			env.logf("  %-18s cold load of %d updates (compacted): %v", t.name, history, cold.load)
		}
		never := []string{"--compact-entries", strconv.Itoa(100 * history), "--compact-bytes", "1099511627776"}
		coldLog, err := runColdLoad(ctx, t, env, history, never)
		if err != nil {
			fail("cold load without compaction", err)
		} else {
			res.coldLog = &coldLog
			env.logf("  %-18s cold load of %d updates (log replay): %v", t.name, history, coldLog.load)
		}
	}
	return res
}

// parseRates reads the -rates list; an empty list skips the fan-out scenario.
func parseRates(s string) ([]float64, error) {
	var rates []float64
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	for f := range strings.SplitSeq(s, ",") {
		r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("-rates: %q is not a positive number", f)
		}
		rates = append(rates, r)
	}
	return rates, nil
}
