package main

import (
	"fmt"
	"io"
	"time"
)

// report is what the run prints: the fault timeline, the writers' counts and the verdict.
type report struct {
	cfg            config
	writers        []*writer
	events         []string
	verdict        verdict
	convergedAfter time.Duration // from the heal; negative if the nodes never converged
	runErr         error         // the run did not complete (a fault failed, or it was interrupted)
}

func (r *report) print(w io.Writer) {
	v := r.verdict
	fmt.Fprintf(w, "\n== chaos summary: %d nodes in %d regions, %d documents, expect %s\n",
		len(r.cfg.Nodes), len(r.cfg.regions()), r.cfg.Docs, r.cfg.Expect)
	fmt.Fprintln(w, "timeline:")
	for _, e := range r.events {
		fmt.Fprintln(w, "  "+e)
	}
	fmt.Fprintln(w, "writes through each node (requests acknowledged / failed, last failure):")
	for _, n := range r.cfg.Nodes {
		ok, failed, acked, tokens := 0, 0, 0, 0
		var last error
		for _, wr := range r.writers {
			if wr.service == n.Service {
				ok, failed, acked, tokens = ok+wr.ok, failed+wr.failed, acked+wr.acked, tokens+len(wr.tokens)
				if wr.last != nil {
					last = wr.last
				}
			}
		}
		line := fmt.Sprintf("  %-6s %-8s tokens %5d acknowledged %5d  requests %5d ok %4d failed", n.Region, n.Service, tokens, acked, ok, failed)
		if last != nil {
			line += fmt.Sprintf("  (%v)", last)
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "attempted %d  acknowledged %d  lost %d  unexpected %d  indeterminate %d (recovered %d)\n",
		v.Attempted, v.Acknowledged, v.Lost, v.Unexpected, v.Indeterminate, v.Recovered)
	if r.convergedAfter >= 0 {
		fmt.Fprintf(w, "heal to convergence: %.1fs", r.convergedAfter.Seconds())
		if r.cfg.AfterHeal > 0 {
			fmt.Fprintf(w, " (including %s of writes after the heal)", r.cfg.AfterHeal)
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "heal to convergence: NOT CONVERGED within %s\n", r.cfg.ConvergeTimeout)
	}
	for _, p := range v.Problems {
		fmt.Fprintln(w, "  problem: "+p)
	}
	switch {
	case r.runErr != nil:
		fmt.Fprintf(w, "RESULT: FAIL (the run did not complete: %v)\n", r.runErr)
	case v.ok():
		fmt.Fprintln(w, "RESULT: PASS")
	default:
		fmt.Fprintln(w, "RESULT: FAIL")
	}
}
