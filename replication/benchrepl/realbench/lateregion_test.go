package realbench

import (
	"context"
	"testing"
	"time"
)

// TestLateEmptyRegion: real `meridian serve` processes on Pebble. Region A holds 5,000 documents of
// 2 KB; an empty region B joins it while a writer keeps writing to A at 200/s. B must become ready and
// hold every document with the same JSON as A, and every write to A during the join must complete, none
// slower than 2 s (a generous bound for noisy CI machines; the bench reports the tight targets).
func TestLateEmptyRegion(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real processes and writes 10 MB: not in -short")
	}
	dir := t.TempDir()
	bin, err := Binary("", dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const docs = 5000
	res, pair, err := LateRegion(ctx, LateRegionConfig{Bin: bin, Dir: dir, Docs: docs, DocBytes: 2048, Writers: 16,
		Rate: 200, Conns: 16, Idle: 2 * time.Second, Timeout: 40 * time.Second, Check: docs, Logf: t.Logf})
	defer pair.Stop()
	defer func() {
		if t.Failed() {
			for _, n := range []*Node{pair.A, pair.B} {
				if n != nil {
					t.Logf("--- %s log tail ---\n%s", n.Region, n.LogTail(4000))
				}
			}
		}
	}()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("B ready after %v, holds all after %v; peer bytes A→B %d, B→A %d (%d of updates written); "+
		"A's writes idle p50 %v p99 %v max %v, during the join p50 %v p99 %v max %v (%d writes)",
		res.Ready, res.HoldsAll, res.BytesAB, res.BytesBA, res.PreloadBytes,
		res.Idle.P50, res.Idle.P99, res.Idle.Max, res.Join.P50, res.Join.P99, res.Join.Max, res.Join.N)
	if res.TimedOut {
		t.Fatalf("B did not become ready holding every document within 40 s (ready after %v, lists %d of %d)", res.Ready, res.BListed, docs)
	}
	if res.Checked != docs || len(res.Differ) > 0 {
		t.Fatalf("%d of %d documents differ between A and B (first: %v)", len(res.Differ), res.Checked, head(res.Differ))
	}
	if res.Join.N == 0 || res.Join.Errors > 0 {
		t.Fatalf("A's writes during the join: %d completed, %d failed", res.Join.N, res.Join.Errors)
	}
	if res.Join.Max > 2*time.Second {
		t.Fatalf("a write to A during the join took %v (bound 2 s)", res.Join.Max)
	}
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}
