// Package conformance holds the tests that hold Meridian's CRDT engine (package crdt) to real Yjs.
// It has no non-test code; everything lives in its _test.go files and in two helpers:
// the harness (harness/*.mjs, real Yjs 13.6.33 run by node) and package oracle, which drives it.
//
// The suites:
//
//   - TestDifferential: a seeded random multi-client Yjs session (text, array, map and XML edits, nested
//     types, formatting, an unreliable network) is replayed update by update into a Go document per
//     replica; the Go state (v1, v2, state vector, snapshot), JSON and pending status must equal Yjs's.
//   - TestGoEditsMatchYjs: the other direction; random local edits made in Go are applied by Yjs and
//     by a second Go document, and all three must agree byte for byte.
//   - TestYjsFixtures: replaying the sequential editing traces with client id 1 emits exactly the
//     per-transaction updates and final states that Yjs emitted (../shared/traces/yjs-fixtures).
//   - TestYrsSmallDataset and TestEgwalkerDocuments: third-party corpora load to the expected content.
//
// Seeds: `-seeds N` (or MERIDIAN_CONFORMANCE_SEEDS=N) sets how many seeds the random suites run
// (default 500); `-seed S` runs seed S alone, which is what a failure prints, e.g.
//
//	go test ./crdt/conformance -run 'TestDifferential$' -seed 1234 -v
//
// The tests need node and the npm workspace (`npm ci` at the repository root); they fail, never skip,
// without them. Traces are read from ../shared/traces relative to the repository root.
package conformance
