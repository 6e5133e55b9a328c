// Package sim is a seeded, deterministic simulation of a Meridian cluster replicating through the
// pure core (package core), with real crdt.Docs as each node's document store.
//
// One Run is one seed: 3 regions of 1 or 2 nodes, some of which join late and empty; random client
// writes (real Yjs updates made by crdt edits: unique map keys, text inserts and deletes, rare document
// deletes); a network that drops, duplicates, delays and so reorders messages; partitions of every
// shape (one region cut off, a bridge, all apart, random node pairs); crashes that lose everything
// but the store and the records the core asked to persist, sometimes in the middle of a Ready. Then
// every fault heals and the run checks what replication.md §5 asks: every replica holds the same
// digest and the same JSON for every document, no pending structs, equal tree roots, every node
// ready, and no acknowledged write lost.
//
// Everything random comes from the seed, and the cluster is stepped in a fixed order, so a seed
// replays exactly:
//
//	rep := sim.Run(sim.Config{Seed: 42})
//	if rep.Err != nil { ... rep.Seed, rep.Err ... }
package sim
