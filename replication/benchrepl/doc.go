// Command benchrepl measures replication with real nodes (replication.Node, authenticated TCP peer
// streams on loopback) and prints the table recorded in BENCHMARKS.md:
//
//   - heal: two nodes hold the same documents, one of them then gets a write on some documents that
//     never reached the other (as after a partition that overflowed the realtime queue); the nodes
//     are then introduced and the bench reports the time until their hash tree tops are equal and
//     the bytes both sent on their peer streams (frames as on the wire), against the bytes of the
//     missing updates and the target "≤ 2 × missing + 64 KB";
//   - realtime: three regions, writes at one, the time until each other region applied them.
//
// Run it with make bench-replication, or:
//
//	go run ./replication/benchrepl -docs 1000,10000,100000 -diverged 1,100,10000
//
// With -real it then runs the scenarios of package realbench against real `meridian serve` processes on
// Pebble (a late empty region joining one that holds 100k documents, a heal after a region was stopped,
// durable write throughput over HTTP and WebSocket), issue #14's targets beside the figures; see
// realbench's package comment for what each measures and its flags (-real-docs, -real-timeout, ...):
//
//	go run ./replication/benchrepl -memory=false -real -real-docs 20000
//
// The document store of the in-memory tables is held in memory as one merged Yjs update per document, so 100k documents fit
// in a few tens of MB; digests are crdt.Snapshot.Digest as in the server.
package main
