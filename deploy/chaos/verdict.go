package main

import (
	"fmt"
	"slices"
)

// writeRecord is what one writer did: the tokens it attempted, in order, of which the first Acked were
// acknowledged as durable.
type writeRecord struct {
	Service, Doc string
	Tokens       []string
	Acked        int
}

// observation is one node's copy of one document at the final read: its state, or why it could not be
// read.
type observation struct {
	State docState
	Err   error
}

// observations[doc][service].
type observations map[string]map[string]observation

// verdict is the set checker's result (Jepsen's checker/set: lost, unexpected, recovered).
type verdict struct {
	Attempted     int // tokens written
	Acknowledged  int // tokens a node acknowledged as durable
	Lost          int // acknowledged tokens missing on at least one node that should hold them
	Unexpected    int // tokens present that no writer of the group attempted, plus duplicates
	Indeterminate int // attempted, never acknowledged
	Recovered     int // indeterminate tokens that nevertheless reached every node of their group
	Converged     bool
	Problems      []string // the first few explanations, for the summary
}

// maxProblems keeps the summary readable when everything is wrong at once.
const maxProblems = 12

func (v *verdict) problem(format string, args ...any) {
	if len(v.Problems) < maxProblems {
		v.Problems = append(v.Problems, fmt.Sprintf(format, args...))
	}
}

// ok is the pass criterion: nothing lost, nothing unexpected, every group converged.
func (v verdict) ok() bool { return v.Converged && v.Lost == 0 && v.Unexpected == 0 }

// judge compares what the writers did with what the nodes hold. groups lists the sets of services that
// must hold identical documents; a writer belongs to the group of the node it wrote through.
func judge(groups [][]string, docs []string, records []writeRecord, obs observations) verdict {
	v := verdict{Converged: true}
	for _, r := range records {
		v.Attempted += len(r.Tokens)
		v.Acknowledged += r.Acked
		v.Indeterminate += len(r.Tokens) - r.Acked
	}
	for _, group := range groups {
		for _, doc := range docs {
			judgeDoc(&v, group, doc, records, obs[doc])
		}
	}
	return v
}

func judgeDoc(v *verdict, group []string, doc string, records []writeRecord, obs map[string]observation) {
	acked, unacked, attempted := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, r := range records {
		if r.Doc != doc || !slices.Contains(group, r.Service) {
			continue
		}
		for i, t := range r.Tokens {
			attempted[t] = true
			if i < r.Acked {
				acked[t] = true
			} else {
				unacked[t] = true
			}
		}
	}

	held := map[string]map[string]bool{} // service → tokens it holds
	var first *docState
	firstService := ""
	for _, s := range group {
		o, ok := obs[s]
		switch {
		case !ok:
			o.Err = fmt.Errorf("not read")
			fallthrough
		case o.Err != nil:
			v.Converged = false
			v.problem("%s on %s: %v", doc, s, o.Err)
			held[s] = map[string]bool{}
			continue
		case o.State.Pending:
			v.Converged = false
			v.problem("%s on %s: updates pending (the node lacks something they depend on)", doc, s)
		}
		set := make(map[string]bool, len(o.State.Tokens))
		for _, t := range o.State.Tokens {
			if set[t] {
				v.Unexpected++
				v.problem("%s on %s: token %s present twice", doc, s, t)
			}
			set[t] = true
			if !attempted[t] {
				v.Unexpected++
				v.problem("%s on %s: token %s was never written through this group", doc, s, t)
			}
		}
		held[s] = set
		st := o.State
		if first == nil {
			first, firstService = &st, s
		} else if st.Digest != first.Digest || !slices.Equal(st.Tokens, first.Tokens) {
			v.Converged = false
			v.problem("%s: %s and %s differ (%d and %d tokens, digests %x… and %x…)", doc, firstService, s,
				len(first.Tokens), len(st.Tokens), first.Digest[:4], st.Digest[:4])
		}
	}

	for t := range acked {
		for _, s := range group {
			if !held[s][t] {
				v.Lost++
				v.problem("%s: acknowledged token %s missing on %s", doc, t, s)
				break
			}
		}
	}
	for t := range unacked {
		everywhere := true
		for _, s := range group {
			everywhere = everywhere && held[s][t]
		}
		if everywhere {
			v.Recovered++
		}
	}
}
