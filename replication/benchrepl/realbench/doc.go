// Package realbench measures replication with real `meridian serve` processes on Pebble, through the
// binary's outside only: its CLI flags, its HTTP API (POST /v1/docs/{id}/update, GET /v1/docs/{id},
// GET /v1/docs, /readyz, /v1/cluster, /metrics) and its WebSockets (y-websocket with Meridian's ack
// extension). It never imports the server or the replication internals, so it keeps measuring whatever
// they become. `go run ./replication/benchrepl -real` prints its tables (make bench-replication runs it
// after the in-memory ones); the scenarios, issue #14's targets beside them:
//
//   - LateRegion: region A holds N documents of ~2 KB (Yjs text built with the crdt package, written over
//     HTTP by many writers); an empty region B starts with --join A. Reported: B's start → /readyz 200, →
//     GET /v1/docs lists every document (target ≤ 30 s); peer-stream bytes each way
//     (meridian_replication_bytes_sent_total); the JSON of a random sample (or all) equal on A and B;
//     and A's write latency from a writer at a fixed rate (default 200/s over 16 connections, to other
//     documents), idle just before B starts and during the join (targets: p99 ≤ 2 × idle p99 + 10 ms, no
//     write over 250 ms). Latency counts from when a write was due, so a stall counts for every write it
//     held back.
//   - Heal (on LateRegion's pair): B is stopped (SIGTERM by default, SIGKILL with -real-heal-signal kill),
//     D documents are written on A, B restarts on its data; reported: time to B's /readyz and to equal
//     tree tops (GET /v1/cluster tree_top on both), peer bytes both ways against the in-memory bench's
//     target 2 × missing + 64 KB. This is a stop, not a cut link: a real cut (network namespaces, as
//     replication/realproc does) is not done here.
//   - Throughput: one node, or three regions with every write to the first; writers over HTTP (one POST
//     in flight each) or WebSocket (a window of updates in flight, completed by the server's cumulative
//     acks, which mean durable); 1/16/64/256 writers on distinct documents or one shared document.
//     Reported: acknowledged updates/s, fsyncs/s (meridian_store_fsync_seconds_count), p50/p99/max
//     (target: one node, 64 writers, distinct documents ≥ 20,000/s). The nodes run with the
//     per-connection message rate limit lifted (ThroughputFlags).
//
// Processes run on loopback with free ports, --dev (no tokens needed), a data directory under a temporary
// directory the caller removes, and die with the bench (Pdeathsig). The load generator shares the machine
// with the servers: on a small machine its CPU is part of the figures.
//
// Examples:
//
//	make bench-replication                                   # in-memory tables, then every real one
//	go run ./replication/benchrepl -memory=false -real -real-docs 20000 -real-scenarios late,heal
//	go run ./replication/benchrepl -memory=false -real -real-scenarios throughput -real-tput-writers 64 -real-tput-regions 1
//	go test -run TestLateEmptyRegion -v ./replication/benchrepl/realbench   # CI-sized check, 5,000 documents
//
// The package can be used from other tests too: Binary builds (or finds) the binary, StartNode starts a
// process, Node has the HTTP helpers (PostUpdate, ListDocs, Cluster, Metrics), TextUpdate and Appender
// make Yjs updates.
package realbench
