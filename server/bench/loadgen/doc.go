// Command loadgen is the load generator of `make bench-server`: it starts each server under test (Meridian,
// and the Node servers of server/bench/peers: @y/websocket-server and @hocuspocus/server), drives it with
// simulated Yjs editors over WebSockets, and prints a markdown report.
//
//	taskset -c 1 go run ./server/bench/loadgen -meridian bin/meridian -peers server/bench/peers -server-cpus 0
//
// Scenarios, each on a fresh server process pinned to -server-cpus (the generator is pinned by its caller):
//   - fan-out (fanout.go): -clients connections over -docs documents, every client typing at each rate of
//     -rates in turn; per step the updates/s sent, the share delivered to the other clients of the document,
//     p50/p99/max latency from send to receipt, and the server's CPU time per update and per delivery. The ramp
//     stops at the first step whose p99 passes 50 ms or that loses deliveries. Each step also reports how long
//     the server's and the generator's threads waited for a CPU (schedstat): on a machine busy with other
//     work, that wait, not the server, is what the latencies measure. An empty -rates skips this scenario.
//     The deliveries are read by one goroutine from an epoll set of all the clients' sockets (receiver.go):
//     a socket is read only when it holds data, which halves the generator's system calls per delivery
//     against a goroutine per connection, so its own queueing adds less to what it measures. The report
//     ends with the two comparisons of issue #3: throughput within the p99 limit against the best Node
//     server, and server CPU per delivered update against each Node server at 5 updates/s per client (or
//     the highest rate the two both ran). -rounds N repeats
//     every target's ramp N times, interleaved, and adds the per-round figures and their medians.
//   - memory (memory.go): server RSS growth for -idle connections over 100 documents (per connection), then
//     for -idle connections each to its own small document (per document, less the connection cost).
//   - cold load (coldload.go, durable servers only): a document of -history single-character updates,
//     the server restarted on the same data, and the time until the first client's sync step 2 arrives; once
//     with the default compaction and once with compaction off (the history replayed from the log).
//
// -timeline FILE writes every fan-out step's latencies per 100 ms of send time (timeline.go): it tells a broad
// tail from a few slow spells, and when those came (to line up with a trace of the server).
//
// -cpuprofile writes the generator's own CPU profile, to tell whether it is the bottleneck; Meridian's
// profiles come from its --debug-addr (set MERIDIAN_DEBUG_ADDR in the generator's environment).
//
// Editors speak y-websocket (the document in the URL) or Hocuspocus's framing (every message prefixed by the
// document name, opened by an auth message) (framing.go). Each typed update carries a marker naming its sender
// and sequence number (marker.go), which is how a receiver matches deliveries to sends without decoding Yjs.
package main
