// Package realproc tests replication with real processes: three `meridian serve` regions on loopback,
// stock Yjs clients (node + y-websocket from the npm workspace) writing to all of them, a region cut off
// by a fault-injecting proxy, a node killed with SIGKILL and restarted; then every document must
// converge everywhere with no acknowledged write lost (TestRealProcesses prints a Jepsen-style summary).
//
// The package's one export is Proxy, the fault injector: it stands in front of a node's peer listener
// (the node advertises the proxy's address with --peer-advertise) and reads the dialer's node id from
// the peer handshake's hello, so it can cut the links of chosen peers while the others keep flowing:
//
//	p, err := realproc.NewProxy("127.0.0.1:7947")    // forwards to the node's --peer-addr
//	defer p.Close()
//	// start the node with --peer-advertise p.Addr()
//	p.Block("ap/n1")                                   // ap's streams to this node drop and are refused
//	p.Isolate(true)                                    // or: every peer's stream to this node
//	p.Heal()
package realproc
