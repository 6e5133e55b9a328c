// Package transport carries replication messages between nodes over TCP, authenticated with the
// cluster key.
//
// A connection carries frames one way: each node dials every peer to send to it, and accepts the
// peers' connections to receive. Opening a connection runs a mutual challenge-response handshake:
// both sides prove knowledge of the cluster key with an HMAC over fresh nonces and both node ids,
// so neither a stranger nor a replay of an old handshake gets in. Every frame after it carries a
// truncated HMAC under a per-connection session key and a frame counter, so frames cannot be forged,
// altered, reordered or replayed. TLS (optional) adds confidentiality; the handshake runs inside it.
// See PROTOCOL.md in the parent directory for the bytes.
//
//	c, err := transport.Dial(ctx, "10.0.0.2:7947", transport.Identity{Node: "eu/n1", Key: key}, nil)
//	err = c.Send(wire.Encode(msg))
//	...
//	c, err := transport.Accept(netConn, transport.Identity{Node: "us/n1", Key: key}, nil)
//	payload, err := c.Recv()
package transport
