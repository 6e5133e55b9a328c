package server

import "runtime"

// minProcs is the fewest Go scheduler Ps `meridian serve` runs with. Go sizes GOMAXPROCS from the CPUs the
// process may use, so on a one-CPU container or a node pinned to one core it gets a single P. The store's
// fsync (Pebble's fdatasync) is a blocking system call that keeps its P until the runtime's monitor takes it
// back, so with one P every fsync briefly stops the whole server: connections, rooms and the committer. A
// second P lets the rest run while the disk syncs. Measured on one pinned core at 1,000 connections x 5
// updates/s: p50 fan-out 205 ms with one P, 4.6 ms with two (and the 2 ms commit window), for about 40% more
// CPU per update (BENCHMARKS.md, Server).
const minProcs = 2

// ensureMinProcs raises GOMAXPROCS to minProcs unless the operator chose a value (the GOMAXPROCS variable).
func ensureMinProcs(lookupEnv func(string) (string, bool)) (before, after int) {
	before = runtime.GOMAXPROCS(0)
	if _, set := lookupEnv("GOMAXPROCS"); set || before >= minProcs {
		return before, before
	}
	runtime.GOMAXPROCS(minProcs)
	return before, minProcs
}
