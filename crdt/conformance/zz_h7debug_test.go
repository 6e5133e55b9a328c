package conformance

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/crdt/conformance/oracle"
)

// scratch: dumps a seed's replica replay step by step (H7 debugging; removed before report)
func TestH7Dump(t *testing.T) {
	seed, _ := strconv.ParseInt(os.Getenv("H7SEED"), 10, 64)
	o := oracle.Start(t)
	opts := sessionOptions(seed)
	s, err := o.Session(opts)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("roots %v gc=%v\n", s.Roots, opts.GC)
	for _, r := range s.Replicas {
		if p := replicaProblem(o, s, r, opts.GC); p == "" {
			continue
		}
		fmt.Printf("replica %d\n", r.ClientID)
		doc, _ := replayInGo(s, r, opts.GC, 0)
		for step, idx := range r.Applied {
			u := s.Updates[idx]
			err := doc.ApplyUpdate(u)
			fmt.Printf("step %d #%d from %d err=%v pending=%v\n  %x\n  %s\n", step, idx, s.Origins[idx], err, doc.HasPending(), u, describe(u))
		}
		return
	}
}

func describe(u []byte) string {
	s, err := crdt.DescribeUpdate(u, false)
	if err != nil {
		return err.Error()
	}
	return s
}
