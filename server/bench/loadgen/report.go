package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// fixedRate is the per-client rate of the scenario (each client typing 5 updates per second); the
// CPU-per-update figures are taken at it.
const fixedRate = 5

func renderReport(results []targetResult, cfg fanoutConfig, idle, history int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nFan-out: %d connections over %d documents (%d per document), every client typing at the given rate;\n"+
		"latency is from a client's send to each other client of the document receiving it.\n\n", cfg.clients, cfg.docs, cfg.clients/cfg.docs)
	fmt.Fprintf(&b, "```\n%-18s %8s %10s %12s %9s %9s %9s %9s %14s %14s %8s %8s %9s %9s\n", "server", "upd/s/cl", "updates/s", "deliveries/s",
		"delivered", "p50", "p99", "max", "srv CPU/upd", "srv CPU/deliv", "srv CPU", "gen CPU", "srv wait", "gen wait")
	pct := func(d time.Duration) float64 { return 100 * d.Seconds() / cfg.window.Seconds() }
	for _, r := range results {
		for _, s := range r.steps {
			fmt.Fprintf(&b, "%-18s %8.0f %10.0f %12.0f %8.1f%% %9s %9s %9s %14s %14s %7.0f%% %7.0f%% %8.0f%% %8.0f%%\n", r.target.name, s.ratePerClient,
				s.updatesPerSec, s.deliveriesSec, s.deliveredPct, ms(s.p50), ms(s.p99), ms(s.max),
				perUnit(s.serverCPU, s.updatesPerSec*cfg.window.Seconds()), perUnit(s.serverCPU, float64(s.deliveries)),
				pct(s.serverCPU), pct(s.generatorCPU), pct(s.serverWait), pct(s.generatorWait))
		}
	}
	b.WriteString("```\n")
	b.WriteString("`srv wait`/`gen wait`: time the process's threads were runnable but waiting for a CPU during the window\n" +
		"(schedstat), as a share of the window; large values mean other work on the machine, so the latencies of that\n" +
		"row measure the scheduler more than the server.\n\n")

	fmt.Fprintf(&b, "Summary (`best` = the highest rate whose p99 stays within %v with every update delivered):\n\n", cfg.p99Limit)
	fmt.Fprintf(&b, "```\n%-18s %8s %14s %12s %12s %16s %14s %14s %14s %14s\n", "server", "durable", "best updates/s",
		fmt.Sprintf("p99 @%d/s", fixedRate), "p99 passes", fmt.Sprintf("CPU/upd @%d/s", fixedRate), "per idle conn",
		"per idle doc", "cold (compact)", "cold (log)")
	for _, r := range results {
		best, p99Fixed, passes, cpuFixed := summarize(r, cfg)
		fmt.Fprintf(&b, "%-18s %8s %14s %12s %12s %16s %14s %14s %14s %14s\n", r.target.name, yesNo(r.target.durable), best,
			p99Fixed, passes, cpuFixed, kbOr(r.memory.perConnection, idle), kbOr(r.memory.perDocument, idle),
			coldOr(r.cold), coldOr(r.coldLog))
	}
	b.WriteString("```\n")
	b.WriteString(renderRatios(results, cfg))
	for _, r := range results {
		for _, f := range r.failures {
			fmt.Fprintf(&b, "\n- %s: %s", r.target.name, f)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// renderRatios states the two comparisons: throughput at equal p99 (the best rate within the p99 limit)
// against the best Node server, and server CPU per delivered update against each Node server at one load the
// two of them ran: the fixed rate when both ran it, else the highest rate both ran. (A common rate for all
// servers would let the weakest peer, stopping early, set the load at which Meridian meets the strongest.)
func renderRatios(results []targetResult, cfg fanoutConfig) string {
	var ours *targetResult
	var peers []*targetResult
	for i := range results {
		if results[i].target.name == "meridian" {
			ours = &results[i]
		} else {
			peers = append(peers, &results[i])
		}
	}
	if ours == nil || len(peers) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n")
	ourRate, bestPeer, bestPeerRate := bestRate(*ours, cfg), peers[0], 0.0
	for _, p := range peers {
		if rate := bestRate(*p, cfg); rate > bestPeerRate {
			bestPeer, bestPeerRate = p, rate
		}
	}
	if bestPeerRate > 0 {
		fmt.Fprintf(&b, "- Throughput within p99 %v: meridian %.0f updates/s, best Node server (%s) %.0f: %.1fx.\n",
			cfg.p99Limit, ourRate, bestPeer.target.name, bestPeerRate, ourRate/bestPeerRate)
	}
	for _, p := range peers {
		rate := commonRate([]targetResult{*ours, *p})
		ourCPU, peerCPU := cpuPerDeliveryAt(*ours, rate), cpuPerDeliveryAt(*p, rate)
		if rate == 0 || ourCPU == 0 || peerCPU == 0 {
			continue
		}
		fmt.Fprintf(&b, "- Server CPU per delivered update against %s, at %.0f updates/s per client: meridian %.1fµs, %s %.1fµs: %.2fx.\n",
			p.target.name, rate, ourCPU, p.target.name, peerCPU, peerCPU/ourCPU)
	}
	return b.String()
}

// commonRate is fixedRate when every target measured it, else the highest per-client rate all of them did.
func commonRate(results []targetResult) float64 {
	counts := map[float64]int{}
	for _, r := range results {
		for _, s := range r.steps {
			counts[s.ratePerClient]++
		}
	}
	if counts[fixedRate] == len(results) {
		return fixedRate
	}
	best := 0.0
	for rate, n := range counts {
		if n == len(results) && rate > best {
			best = rate
		}
	}
	return best
}

// renderRounds lists, for several rounds, the figures per round and their medians: one round is one
// sample on a machine whose speed drifts, and the tables above show the first round only.
func renderRounds(rounds [][]targetResult, cfg fanoutConfig) string {
	if len(rounds) < 2 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nRounds (fan-out ramp of every target, interleaved; the tables above are round 1):\n\n```\n%-6s %16s %16s %10s %14s %22s %10s\n",
		"round", "meridian best/s", "best Node best/s", "ratio", fmt.Sprintf("p99 @%d/s", fixedRate), "CPU/deliv (meridian:node)", "CPU ratio")
	var ratios, p99s, cpuRatios []float64
	for i, results := range rounds {
		f := ratiosOf(results, cfg)
		fmt.Fprintf(&b, "%-6d %16.0f %16.0f %9.2fx %14s %22s %9.2fx\n", i+1, f.ours, f.peer, f.ratio, ms(f.p99Fixed),
			fmt.Sprintf("%.1f:%.1fµs @%.0f/s", f.ourCPU, f.peerCPU, f.cpuRate), f.cpuRatio)
		ratios, cpuRatios = append(ratios, f.ratio), append(cpuRatios, f.cpuRatio)
		if f.p99Fixed > 0 {
			p99s = append(p99s, float64(f.p99Fixed))
		}
	}
	fmt.Fprintf(&b, "%-6s %16s %16s %9.2fx %14s %22s %9.2fx\n```\n", "median", "", "", median(ratios),
		ms(time.Duration(median(p99s))), "", median(cpuRatios))
	return b.String()
}

// roundFigures are the comparisons in one round.
type roundFigures struct {
	ours, peer, ratio        float64 // best rate within the p99 limit: Meridian, best Node server, ours/peer
	p99Fixed                 time.Duration
	ourCPU, peerCPU, cpuRate float64 // µs per delivery at cpuRate updates/s per client
	cpuRatio                 float64 // peerCPU/ourCPU
}

// ratiosOf compares against the best Node server (the highest rate within the p99 limit): throughput, and CPU
// per delivery at the rate it shares with Meridian (see renderRatios).
func ratiosOf(results []targetResult, cfg fanoutConfig) roundFigures {
	var f roundFigures
	var ours, best *targetResult
	for i := range results {
		r := &results[i]
		rate := bestRate(*r, cfg)
		if r.target.name == "meridian" {
			ours, f.ours = r, rate
			for _, s := range r.steps {
				if s.ratePerClient == fixedRate {
					f.p99Fixed = s.p99
				}
			}
			continue
		}
		if best == nil || rate > f.peer {
			best, f.peer = r, rate
		}
	}
	if f.peer > 0 {
		f.ratio = f.ours / f.peer
	}
	if ours != nil && best != nil {
		f.cpuRate = commonRate([]targetResult{*ours, *best})
		f.ourCPU, f.peerCPU = cpuPerDeliveryAt(*ours, f.cpuRate), cpuPerDeliveryAt(*best, f.cpuRate)
	}
	if f.ourCPU > 0 {
		f.cpuRatio = f.peerCPU / f.ourCPU
	}
	return f
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// bestRate is the highest offered load (updates/s) of a step within the p99 limit with everything delivered,
// counting only the steps before the first one that was not.
func bestRate(r targetResult, cfg fanoutConfig) float64 {
	best := 0.0
	for _, s := range r.steps {
		if s.saturated(cfg.p99Limit) {
			break
		}
		best = max(best, s.updatesPerSec)
	}
	return best
}

// cpuPerDeliveryAt is the server's CPU time per delivered copy, in µs, at a per-client rate (0: not measured).
func cpuPerDeliveryAt(r targetResult, rate float64) float64 {
	for _, s := range r.steps {
		if s.ratePerClient == rate && s.deliveries > 0 {
			return float64(s.serverCPU) / float64(time.Microsecond) / float64(s.deliveries)
		}
	}
	return 0
}

// summarize returns the best sustained throughput, the p99 and CPU per update at the fixed rate, and the
// offered load at which p99 passes the limit.
func summarize(r targetResult, cfg fanoutConfig) (best, p99Fixed, passes, cpuFixed string) {
	best, p99Fixed, passes, cpuFixed = "-", "-", "-", "-"
	bestRate := 0.0
	for _, s := range r.steps {
		if s.ratePerClient == fixedRate {
			p99Fixed = ms(s.p99)
			cpuFixed = perUnit(s.serverCPU, s.updatesPerSec*cfg.window.Seconds())
		}
		if s.saturated(cfg.p99Limit) {
			if passes == "-" {
				passes = fmt.Sprintf("%.0f/s", s.updatesPerSec)
			}
			continue
		}
		if passes == "-" && s.updatesPerSec > bestRate {
			bestRate = s.updatesPerSec
		}
	}
	if bestRate > 0 {
		best = fmt.Sprintf("%.0f", bestRate)
	}
	if passes == "-" && len(r.steps) > 0 {
		passes = fmt.Sprintf(">%.0f/s", r.steps[len(r.steps)-1].updatesPerSec)
	}
	return best, p99Fixed, passes, cpuFixed
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func perUnit(cpu time.Duration, n float64) string {
	if n <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fµs", float64(cpu)/float64(time.Microsecond)/n)
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func kbOr(b int64, measured int) string {
	if measured == 0 || b == 0 {
		return "-"
	}
	return kb(b)
}

func coldOr(c *coldLoadResult) string {
	if c == nil {
		return "n/a"
	}
	return ms(c.load)
}
