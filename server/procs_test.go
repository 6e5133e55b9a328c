package server

import (
	"runtime"
	"testing"
)

func TestEnsureMinProcsRaisesOneButRespectsTheOperator(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	noEnv := func(string) (string, bool) { return "", false }
	if before, after := ensureMinProcs(noEnv); before != 1 || after != minProcs || runtime.GOMAXPROCS(0) != minProcs {
		t.Fatalf("one P: got %d -> %d (now %d), want 1 -> %d", before, after, runtime.GOMAXPROCS(0), minProcs)
	}
	runtime.GOMAXPROCS(1)
	chosen := func(k string) (string, bool) { return "1", k == "GOMAXPROCS" }
	if _, after := ensureMinProcs(chosen); after != 1 || runtime.GOMAXPROCS(0) != 1 {
		t.Fatalf("GOMAXPROCS=1 set by the operator was overridden: %d", runtime.GOMAXPROCS(0))
	}
	runtime.GOMAXPROCS(4)
	if _, after := ensureMinProcs(noEnv); after != 4 {
		t.Fatalf("four Ps lowered to %d", after)
	}
}
