package replication_test

import (
	"flag"
	"runtime"
	"sync"
	"testing"

	"github.com/meridian-sync/meridian/replication/sim"
)

var (
	simSeed  = flag.Int64("seed", -1, "run only this simulation seed (with -v: its event log)")
	simSeeds = flag.Int("seeds", 1000, "how many simulation seeds TestSimulation runs")
)

// TestSimulation runs the seeded cluster simulation (package sim) for many seeds: partitions,
// crashes, lossy delivery, late empty joiners, then heal and check convergence and no lost writes.
func TestSimulation(t *testing.T) {
	if *simSeed >= 0 {
		rep := sim.Run(sim.Config{Seed: uint64(*simSeed), Logf: t.Logf})
		t.Logf("seed %d: %d nodes, %d writes, %d deletes, %d crashes, %d partitions, converged %d ticks after heal, %d messages (%d bytes)",
			rep.Seed, rep.Nodes, rep.Writes, rep.Deletes, rep.Crashes, rep.Partitions, rep.HealTicks, rep.Messages, rep.MessageBytes)
		if rep.Err != nil {
			t.Fatalf("seed %d: %v", rep.Seed, rep.Err)
		}
		return
	}
	seeds := make(chan uint64)
	var mu sync.Mutex
	var failed []sim.Report
	var total sim.Report
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range seeds {
				rep := sim.Run(sim.Config{Seed: s})
				mu.Lock()
				total.Writes += rep.Writes
				total.Crashes += rep.Crashes
				total.Partitions += rep.Partitions
				total.Deletes += rep.Deletes
				total.HealTicks = max(total.HealTicks, rep.HealTicks)
				total.QueueOverflows += rep.QueueOverflows
				total.GapRefills += rep.GapRefills
				total.RepairsApplied += rep.RepairsApplied
				if rep.Err != nil {
					failed = append(failed, rep)
				}
				mu.Unlock()
			}
		}()
	}
	for s := 0; s < *simSeeds; s++ {
		seeds <- uint64(s)
	}
	close(seeds)
	wg.Wait()
	t.Logf("%d seeds: %d acknowledged writes, %d deletes, %d crashes, %d partitions; slowest convergence %d ticks after heal",
		*simSeeds, total.Writes, total.Deletes, total.Crashes, total.Partitions, total.HealTicks)
	t.Logf("paths exercised: %d queue overflows, %d gap refills, %d repairs applied",
		total.QueueOverflows, total.GapRefills, total.RepairsApplied)
	if total.QueueOverflows == 0 || total.GapRefills == 0 || total.RepairsApplied == 0 || total.Crashes == 0 {
		t.Errorf("the simulation no longer exercises overflow, gap refill, repair and crash paths")
	}
	for i, rep := range failed {
		if i == 10 {
			t.Errorf("... and %d more failing seeds", len(failed)-10)
			break
		}
		t.Errorf("seed %d: %v\n  replay: go test ./replication -run TestSimulation -seed %d -v", rep.Seed, rep.Err, rep.Seed)
	}
}

// TestQuiescence: once converged and with no writes, exchanges keep running but repair nothing, and
// idle traffic stays small. With the simulation's 8-tick exchange interval, 600 ticks ≈ 1 minute at
// a 100 ms tick.
func TestQuiescence(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		rep := sim.Run(sim.Config{Seed: seed, QuietTicks: 600})
		if rep.Err != nil {
			t.Fatalf("seed %d: %v\n  replay: go test ./replication -run TestSimulation -seed %d -v", seed, rep.Err, seed)
		}
		if rep.QuietExchanges == 0 {
			t.Fatalf("seed %d: no exchanges ran while idle", seed)
		}
		perNode := rep.QuietBytes / uint64(rep.Nodes)
		if seed == 0 {
			t.Logf("idle: %d exchanges, %d bytes per node per 600 ticks (simulation tree of 8 branches)", rep.QuietExchanges, perNode)
		}
		if perNode > 64<<10 {
			t.Fatalf("seed %d: idle traffic %d bytes per node per 600 ticks", seed, perNode)
		}
	}
}

// TestSimulationIsDeterministic: a seed must replay exactly, or printed seeds would be worthless.
func TestSimulationIsDeterministic(t *testing.T) {
	a, b := sim.Run(sim.Config{Seed: 12345}), sim.Run(sim.Config{Seed: 12345})
	a.Err, b.Err = nil, nil
	if a != b {
		t.Fatalf("seed 12345 ran differently twice:\n%+v\n%+v", a, b)
	}
}
