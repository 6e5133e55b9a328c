package conformance

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"
)

var (
	seedFlag  = flag.Int64("seed", -1, "run only this seed of the random suites (as printed by a failure)")
	seedsFlag = flag.Int("seeds", 0, "number of seeds for the random suites (default 500, or $MERIDIAN_CONFORMANCE_SEEDS)")
)

const defaultSeeds = 500

// seedsToRun lists the seeds a random suite covers: the one given with -seed, or 0..n-1.
func seedsToRun(t *testing.T) []int64 {
	t.Helper()
	if *seedFlag >= 0 {
		return []int64{*seedFlag}
	}
	n, err := seedCount()
	if err != nil {
		t.Fatal(err)
	}
	seeds := make([]int64, n)
	for i := range seeds {
		seeds[i] = int64(i)
	}
	return seeds
}

func seedCount() (int, error) {
	if *seedsFlag > 0 {
		return *seedsFlag, nil
	}
	if env := os.Getenv("MERIDIAN_CONFORMANCE_SEEDS"); env != "" {
		n, err := strconv.Atoi(env)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("MERIDIAN_CONFORMANCE_SEEDS=%q: want a positive integer", env)
		}
		return n, nil
	}
	return defaultSeeds, nil
}

// replayHint is the command that reruns one seed of one test alone.
func replayHint(test string, seed int64) string {
	return fmt.Sprintf("replay alone: go test ./crdt/conformance -run '%s$' -seed %d -v", test, seed)
}

// maxFailingSeeds bounds how many failing seeds a random suite reports in detail before it stops:
// one broken rule usually fails most seeds, and the first few say everything.
const maxFailingSeeds = 5
