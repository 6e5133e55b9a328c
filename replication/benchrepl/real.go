package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/meridian-sync/meridian/replication/benchrepl/realbench"
)

// The real-process scenarios (package realbench): flags, and the tables they print.
var (
	realRun       = flag.Bool("real", false, "also run the scenarios with real `meridian serve` processes on Pebble (after the in-memory tables)")
	memRun        = flag.Bool("memory", true, "run the in-memory tables (replication.Node over a map store)")
	realScenarios = flag.String("real-scenarios", "late,heal,throughput", "real scenarios to run: late (late empty region), heal (needs late's pair), throughput")
	realBin       = flag.String("meridian", "", "meridian binary for -real (default: build one from this module)")
	realDocs      = flag.Int("real-docs", 100000, "documents region A holds (late, heal)")
	realDocBytes  = flag.Int("real-doc-bytes", 2048, "text bytes per document")
	realWriters   = flag.Int("real-writers", 32, "concurrent HTTP writers loading A")
	realRate      = flag.Float64("real-rate", 200, "A's latency writer: writes per second")
	realConns     = flag.Int("real-conns", 16, "A's latency writer: connections")
	realIdle      = flag.Duration("real-idle", 10*time.Second, "A's idle latency measurement before B starts")
	realPin       = flag.String("real-pin", "0/1", "late, heal: taskset CPU lists for regions A and B as A/B (\"\": unpinned); run the bench itself beside A, as A's clients (make bench-replication pins it to CPU 0)")
	realExtraA    = flag.String("real-serve-a", "", "late: extra `meridian serve` flags for region A, space separated")
	realExtraB    = flag.String("real-serve-b", "", "late: extra `meridian serve` flags for the joining region B, space separated (e.g. \"--debug-addr 127.0.0.1:6061\" to profile its bootstrap)")
	realTimeout   = flag.Duration("real-timeout", 10*time.Minute, "give up waiting for B (join, and each heal) after this long")
	realCheck     = flag.Int("real-check", 1000, "documents (random) whose JSON is compared on A and B after the join; ≥ -real-docs: all")
	realDiverged  = flag.String("real-diverged", "100,10000", "heal: documents written on A while B is down, comma separated")
	realSignal    = flag.String("real-heal-signal", "term", "heal: how B is stopped: term (SIGTERM, a clean stop) or kill (SIGKILL, a crash)")
	realHealModes = flag.String("real-heal-modes", "stop,cut", "heal: stop (B stopped and restarted) and/or cut (the peer streams between A and B cut by proxies, both keep running; puts a proxy in front of both peer listeners for the whole run)")
	tputRegions   = flag.String("real-tput-regions", "1,3", "throughput: cluster sizes (writes go to the first region)")
	tputWriters   = flag.String("real-tput-writers", "1,16,64,256", "throughput: concurrent writers per cell")
	tputTrans     = flag.String("real-tput-transports", "http,ws", "throughput: http (POST, one at a time per writer), ws (y-websocket + ack extension)")
	tputDuration  = flag.Duration("real-tput-duration", 5*time.Second, "throughput: measured time per cell (after a 1 s warm-up)")
	tputWindow    = flag.Int("real-tput-window", 8, "throughput: WebSocket updates in flight per connection")
	tputServe     = flag.String("real-tput-serve", "", "throughput: extra `meridian serve` flags, space separated (e.g. \"--send-queue 4096\")")
)

func runReal(ctx context.Context) bool {
	scen := map[string]bool{}
	for _, s := range strings.Split(*realScenarios, ",") {
		scen[strings.TrimSpace(s)] = true
	}
	dir, err := os.MkdirTemp("", "meridian-realbench-")
	if err != nil {
		fmt.Println("real: FAILED:", err)
		return false
	}
	defer os.RemoveAll(dir)
	bin, err := realbench.Binary(*realBin, dir)
	if err != nil {
		fmt.Println("real: FAILED:", err)
		return false
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	fmt.Printf("\n## Real processes: `meridian serve` on Pebble, loopback (%s)\n\n", bin)
	ok := true
	if scen["late"] || scen["heal"] {
		ok = runLateAndHeal(ctx, bin, dir, scen["heal"], logf) && ok
	}
	if scen["throughput"] {
		ok = runThroughput(ctx, bin, dir, logf) && ok
	}
	return ok
}

func runLateAndHeal(ctx context.Context, bin, dir string, heal bool, logf func(string, ...any)) bool {
	modes := map[string]bool{}
	for _, m := range strings.Split(*realHealModes, ",") {
		modes[strings.TrimSpace(m)] = true
	}
	proxies := heal && modes["cut"]
	pinA, pinB, _ := strings.Cut(*realPin, "/")
	r, pair, err := realbench.LateRegion(ctx, realbench.LateRegionConfig{Bin: bin, Dir: dir, Docs: *realDocs,
		DocBytes: *realDocBytes, Writers: *realWriters, Rate: *realRate, Conns: *realConns, Idle: *realIdle,
		Timeout: *realTimeout, Check: *realCheck, Proxies: proxies, Logf: logf, CPUsA: pinA, CPUsB: pinB,
		ExtraA: strings.Fields(*realExtraA), ExtraB: strings.Fields(*realExtraB)})
	defer pair.Stop()
	if err != nil {
		fmt.Println("late empty region: FAILED:", err)
		return false
	}
	via := ""
	if proxies {
		via = "; peer streams through a realproc.Proxy in front of each node, for the cut heal below"
	}
	fmt.Printf("### Late empty region: A holds %d documents of ~%d B (written over HTTP by %d writers in %v), empty B joins%s\n\n",
		r.Docs, *realDocBytes, *realWriters, r.PreloadTime.Round(time.Millisecond), via)
	fmt.Println("| B start → ready | → lists every document | ready ≤ 30 s | peer bytes A→B | B→A | update bytes written to A | JSON equal on A and B |")
	fmt.Println("|---:|---:|:-:|---:|---:|---:|---:|")
	ready, holds := dur(r.Ready), dur(r.HoldsAll)
	if r.TimedOut {
		holds = fmt.Sprintf("not after %v (B lists %d)", *realTimeout, r.BListed)
		if r.Ready == 0 {
			ready = fmt.Sprintf("not after %v", *realTimeout)
		}
	}
	fmt.Printf("| %s | %s | %s | %s | %s | %s | %d of %d checked |\n", ready, holds, pass(r.ReadyOK()),
		mb(r.BytesAB), mb(r.BytesBA), mb(r.PreloadBytes), r.Checked-len(r.Differ), r.Checked)
	fmt.Printf("\nA's writes (HTTP POST, %.0f/s over %d connections, latency from when each was due):\n\n", *realRate, *realConns)
	fmt.Println("| phase | writes | failed | p50 | p99 | max | target | |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---|:-:|")
	fmt.Printf("| A idle (%v before B starts) | %d | %d | %s | %s | %s | | |\n", *realIdle, r.Idle.N, r.Idle.Errors,
		dur(r.Idle.P50), dur(r.Idle.P99), dur(r.Idle.Max))
	fmt.Printf("| during the join (B start → ready) | %d | %d | %s | %s | %s | p99 ≤ 2×idle p99 + 10 ms = %s | %s |\n",
		r.Join.N, r.Join.Errors, dur(r.Join.P50), dur(r.Join.P99), dur(r.Join.Max),
		dur(2*r.Idle.P99+realbench.TargetJoinP99Add), pass(r.P99OK()))
	fmt.Printf("| | | | | | | no write over 250 ms (%d were) | %s |\n", r.Join.Over250ms, pass(r.MaxOK()))
	ok := !r.TimedOut && len(r.Differ) == 0
	if len(r.Differ) > 0 {
		fmt.Printf("\n%d documents differ between A and B, e.g. %v\n", len(r.Differ), r.Differ[:min(5, len(r.Differ))])
	}
	if !heal {
		return ok
	}
	if r.TimedOut {
		fmt.Println("\nheal: not run (B never held every document)")
		return false
	}
	divs, err := ints(*realDiverged)
	if err != nil {
		fmt.Println("heal: -real-diverged:", err)
		return false
	}
	sig, name := syscall.SIGTERM, "SIGTERM"
	if *realSignal == "kill" {
		sig, name = syscall.SIGKILL, "SIGKILL"
	}
	fmt.Printf("\n### Heal: A and B hold the same %d documents; B stopped (%s) and restarted on its data, or the peer streams between A and B cut (both running, gossip flowing) until each reports the other not live, then healed; D documents written on A meanwhile\n\n", r.Docs, name)
	fmt.Println("| partition | docs held | D written on A | B down / cut for | missing update bytes | restart → B ready | restart or heal → tree tops equal | peer bytes (both ways) | target 2×missing+64 KB | within | JSON equal |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|:-:|---:|")
	round := 0
	for _, mode := range []string{"stop", "cut"} {
		if !modes[mode] {
			continue
		}
		label := "B stopped (" + name + "), restarted"
		if mode == "cut" {
			label = "peer streams cut (proxies)"
		}
		for _, d := range divs {
			if d > r.Docs {
				continue
			}
			round++
			h, err := realbench.Heal(ctx, pair, realbench.HealConfig{Docs: r.Docs, Diverged: d, Cut: mode == "cut", Signal: sig,
				Round: round, Timeout: *realTimeout, Check: *realCheck, Logf: logf})
			if err != nil {
				fmt.Printf("| %s | %d | %d | FAILED: %v | | | | | | | |\n", label, r.Docs, d, err)
				return false
			}
			conv := dur(h.Converged)
			if h.TimedOut {
				conv = fmt.Sprintf("not after %v", *realTimeout)
			}
			fmt.Printf("| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %d of %d |\n", label, h.Docs, h.Diverged, dur(h.Down),
				kb(h.Missing), dur(h.Ready), conv, kb(h.Bytes), kb(h.Target()), yes(h.Bytes <= h.Target()), h.Checked-len(h.Differ), h.Checked)
			ok = ok && !h.TimedOut && len(h.Differ) == 0
		}
	}
	return ok
}

func runThroughput(ctx context.Context, bin, dir string, logf func(string, ...any)) bool {
	regions, err1 := ints(*tputRegions)
	writers, err2 := ints(*tputWriters)
	if err1 != nil || err2 != nil {
		fmt.Println("throughput: bad -real-tput-regions or -real-tput-writers")
		return false
	}
	fmt.Printf("\n### Durable write throughput (writes to one node; an update counts once acknowledged durable: HTTP 200, or the WebSocket ack; %v per cell; WebSocket: %d updates in flight per connection; serve %s)\n\n",
		*tputDuration, *tputWindow, strings.Join(append(realbench.ThroughputFlags, strings.Fields(*tputServe)...), " "))
	fmt.Println("| regions | transport | writers | documents | updates/s | fsyncs/s (written node) | p50 | p99 | max | target (1 node, 64 distinct) ≥ 20,000/s; notes |")
	fmt.Println("|---:|---|---:|---|---:|---:|---:|---:|---:|:-:|")
	ok := true
	for _, n := range regions {
		rows, err := realbench.Throughput(ctx, realbench.ThroughputConfig{Bin: bin, Dir: dir, Regions: n, Extra: strings.Fields(*tputServe),
			Transports: strings.Split(*tputTrans, ","), Writers: writers, Duration: *tputDuration, Warmup: time.Second,
			Window: *tputWindow, Logf: logf})
		for _, r := range rows {
			docs, target := "distinct", ""
			if r.Shared {
				docs = "one shared"
			}
			if r.Regions == 1 && r.Writers == 64 && !r.Shared {
				target = pass(r.PerSecond >= 20000 && r.Failed == "")
			}
			if r.Failed != "" {
				target += " " + r.Failed
			}
			fmt.Printf("| %d | %s | %d | %s | %.0f | %.0f | %s | %s | %s | %s |\n", r.Regions, r.Transport, r.Writers, docs,
				r.PerSecond, r.Fsyncs, dur(r.Lat.P50), dur(r.Lat.P99), dur(r.Lat.Max), target)
		}
		if err != nil {
			fmt.Printf("| %d | FAILED: %v | | | | | | | | |\n", n, err)
			ok = false
		}
	}
	return ok
}

func dur(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < 10*time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case d < 10*time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

func mb(b uint64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

func pass(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
