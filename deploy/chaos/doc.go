// Command chaos is the checker of Meridian's multi-region Docker deployment (deploy/docker-compose.yml):
// a Jepsen-style set test. It writes unique tokens into shared documents through every node while it
// injects faults with the docker CLI, heals, then checks that every acknowledged token survived and that
// every node converged on the same document.
//
// deploy/e2e.sh (run by `make e2e-docker`) starts the cluster and runs it; by hand, against a running
// compose project:
//
//	MERIDIAN_TOKEN=$(meridian token --admin --doc 'chaos/*' --perm write) \
//	go run ./deploy/chaos --project deploy \
//	    --nodes eu/eu-1=127.0.0.1:8081,eu/eu-2=127.0.0.1:8084,us/us-1=127.0.0.1:8082,ap/ap-1=127.0.0.1:8083 \
//	    --cut ap --kill eu-2 --pause us-1
//
// # What it does
//
//  1. Waits until every node answers /readyz and, with --expect replicated, until every node's
//     /v1/cluster lists every region (so the test never starts against a cluster that is still forming).
//  2. Starts one writer per node and document. A writer keeps its own crdt.Doc and appends tokens
//     ("<node>/<doc>/<seq>") to the Array "tokens"; each write POSTs /v1/docs/{id}/update with everything
//     the node has not acknowledged yet, so a write that failed or timed out is carried by the next one and
//     the node never sees a gap in the writer's clocks. A 200 {"stored":true} acknowledges every token in
//     the body: the server answers only once the update is durable.
//  3. Faults, one after the other (nemesis.go): disconnects every container of the --cut region from the
//     compose project's `wan` network for --cut-for, then reconnects it with its old address; kills --kill
//     with SIGKILL and starts it again after --down-for; pauses --pause (SIGSTOP of the cgroup) for
//     --pause-for. Every fault is undone on the way out, also when the run fails or is interrupted.
//  4. Heals, stops the writers (after --after-heal more, default 0), then reads every document's full state
//     (GET /v1/docs/{id}/update) from every node once a second until all converged or --converge-timeout.
//
// # The verdict
//
// In a group of nodes that should hold the same data (every node with --expect replicated; each node on
// its own with --expect isolated, for a server that does not replicate yet), for every document:
//   - converged: every node's state decodes with nothing pending, has the same snapshot digest (state
//     vector and delete set) and the same token sequence;
//   - lost: acknowledged tokens missing on some node of the group (must be 0);
//   - unexpected: tokens no writer of the group ever attempted, or a token present twice (must be 0).
//
// Attempted but unacknowledged tokens (a timeout during a pause, say) may or may not appear: Jepsen's
// "indeterminate". The summary gives acknowledged, lost, unexpected, indeterminate counts and the time from
// the heal to convergence; the exit status is 0 only if lost and unexpected are 0 and everything converged.
package main
