// Package realproc tests replication with real processes: three `meridian serve` regions, each in a
// network namespace of its own, stock Yjs clients (node + y-websocket from the npm workspace) writing to
// all of them, one region cut off for real (its link to the others goes down: gossip, peer streams and
// everything else stop, as on a cut WAN link), a node killed with SIGKILL and restarted. During the cut
// the cut-off node must report its peers not live and they must report it not live; after the heal all
// live again; then every document must converge everywhere with no acknowledged write lost
// (TestRealProcesses prints a Jepsen-style summary).
//
// The network (netns_test.go): every region namespace has a cluster link to a bridge in a hub namespace
// (gossip and peer streams bind there) and a management link to the root namespace (HTTP binds there,
// for the test and the clients; it is never cut). The test creates and deletes everything itself, with
// names carrying its pid, and needs root and iproute2 (`ip netns`), as CI has; without them it fails
// with a message saying so (it never skips).
//
// The package's one export is Proxy, a fault injector for peer streams only (gossip keeps flowing): it
// stands in front of a node's peer listener (the node advertises the proxy's address with
// --peer-advertise) and reads the dialer's node id from the peer handshake's hello, so it can cut the
// links of chosen peers while the others keep flowing. Use it to test the peer streams' own recovery
// without a membership change:
//
//	p, err := realproc.NewProxy("127.0.0.1:7947")    // forwards to the node's --peer-addr
//	defer p.Close()
//	// start the node with --peer-advertise p.Addr()
//	p.Block("ap/n1")                                   // ap's streams to this node drop and are refused
//	p.Isolate(true)                                    // or: every peer's stream to this node
//	p.Heal()
package realproc
