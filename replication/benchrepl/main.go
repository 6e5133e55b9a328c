package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	docsFlag := flag.String("docs", "1000,10000,100000", "documents held, comma separated")
	divFlag := flag.String("diverged", "1,100,10000", "documents diverged, comma separated")
	writes := flag.Int("writes", 2000, "realtime writes to measure")
	timeout := flag.Duration("timeout", 3*time.Minute, "give up on one heal after this long")
	flag.Parse()
	docs, err1 := ints(*docsFlag)
	div, err2 := ints(*divFlag)
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "benchrepl: -docs and -diverged take comma-separated positive integers")
		os.Exit(2)
	}
	ok := true
	if *memRun {
		ok = runMemory(docs, div, *writes, *timeout)
	}
	if *realRun {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		ok = runReal(ctx) && ok
		stop()
	}
	if !ok {
		os.Exit(1)
	}
}

// runMemory prints the in-memory tables: replication.Node over a map store.
func runMemory(docs, div []int, writes int, timeout time.Duration) bool {
	fmt.Printf("replication bench: %d CPUs, %s, tick 100 ms, tree 8^6, loopback TCP with HMAC frames\n\n",
		runtime.NumCPU(), runtime.Version())
	fmt.Println("| docs held | diverged | heal → converged | bytes exchanged | missing update bytes | target 2×missing+64 KB | within target |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|:-:|")
	failed := false
	for _, n := range docs {
		for _, d := range div {
			if d > n {
				fmt.Printf("| %d | %d | n/a (more diverged than held) | | | | |\n", n, d)
				continue
			}
			r, err := heal(n, d, timeout)
			if err != nil {
				fmt.Printf("| %d | %d | FAILED: %v | | | | |\n", n, d, err)
				failed = true
				continue
			}
			fmt.Printf("| %d | %d | %s | %s | %s | %s | %s |\n", n, d, r.converge.Round(time.Millisecond),
				kb(r.sent), kb(r.missing), kb(r.target()), yes(r.sent <= r.target()))
		}
	}
	fmt.Println()
	r, err := realtime(writes, 2*time.Millisecond)
	if err != nil {
		fmt.Println("realtime: FAILED:", err)
		return false
	}
	fmt.Println("| realtime visibility (eu → us, ap) | writes | samples | p50 | p99 | max | p99 < 20 ms |")
	fmt.Println("|---|---:|---:|---:|---:|---:|:-:|")
	fmt.Printf("| loopback, 1 write / 2 ms | %d | %d | %s | %s | %s | %s |\n", r.writes, r.samples,
		r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.max.Round(time.Microsecond),
		yes(r.p99 < 20*time.Millisecond))
	return !failed
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("bad count %q", f)
		}
		out = append(out, v)
	}
	return out, nil
}

func kb(b uint64) string {
	if b < 10<<10 {
		return fmt.Sprintf("%d B", b)
	}
	return fmt.Sprintf("%.1f KB", float64(b)/1024)
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}
