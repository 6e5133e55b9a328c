// Package oracle runs real Yjs (13.6.33, from the repository's npm workspace) in a long-lived node
// process, so Go tests can ask what Yjs would do and compare byte for byte.
//
// The usage loop of a test:
//
//	o := oracle.Start(t) // one node process for this test; stopped by t.Cleanup
//	merged, err := o.MergeUpdates(updates, false)
//	state, err := o.Apply(oracle.ApplyRequest{Updates: updates, GC: true, Roots: map[string]string{"text": "text"}})
//	// compare state.StateV1, state.StateVector, state.Snapshot, state.JSON with the Go engine's output
//	s, err := o.Session(oracle.SessionOptions{Seed: 42, Clients: 3, Steps: 40, GC: true})
//	// replay s.Updates in each s.Replicas[i].Applied order and compare with s.Replicas[i].Final
//
// Start fails the test (it never skips) when node or node_modules is missing, because a conformance
// suite that silently skips proves nothing. Run `npm ci` at the repository root to install Yjs.
//
// The process speaks line-delimited JSON over stdin/stdout (see harness/oracle.mjs); binary values
// travel as base64. Errors raised by Yjs come back as *YjsError, so a test can tell "Yjs rejected this
// input" from "the oracle broke". An Oracle serialises its calls and may be shared by subtests.
//
// Set MERIDIAN_ORACLE_DEBUG=1 to have node print the JavaScript stack of every failed request.
//
// This package imports nothing of Meridian: it describes Yjs, never our engine.
package oracle
