// Package transport carries replication messages between nodes over TCP, authenticated with the
// cluster keyring and optionally encrypted with TLS.
//
// A connection carries frames one way: each node dials every peer to send to it, and accepts the
// peers' connections to receive. Opening a connection runs a mutual challenge-response handshake:
// both sides prove knowledge of a cluster key with an HMAC over fresh nonces and both node ids, so
// neither a stranger nor a replay of an old handshake gets in. Every frame after it carries a
// truncated HMAC under a per-connection session key and a frame counter, so frames cannot be forged,
// altered, reordered or replayed. See PROTOCOL.md in the parent directory for the bytes.
//
// Keys: Identity.Key is a single cluster key; Identity.Keys is a keyring read at every handshake
// (membership.Serf.Keys, the primary first). Each end proves with its primary and accepts the other's
// proof under any installed key, so a rotation (install a key everywhere, make it the primary, remove
// the old one) never stops replication, and a node holding only a removed key is refused.
//
// TLS: pass a *tls.Config built by TLSConfig to Dial and Accept. The node then speaks only TLS: a plain
// connection to it fails with ErrTLS ("opened a plain (non-TLS) connection"), a TLS dial to a plain node
// fails with ErrProtocol. With a CA pool the TLS is mutual. The cluster-key handshake runs inside TLS.
// TLSConfig asks for the certificate and the CA pool at every handshake, so the caller can swap either
// (a renewed certificate, a CA rotation) without a restart; LoadCABundle reads a bundle.
//
//	id := transport.Identity{Node: "eu/n1", Keys: serf.Keys}
//	tlsCfg := transport.TLSConfig(certs.Current, caPool.Current) // or nil for plain TCP
//	c, err := transport.Dial(ctx, "10.0.0.2:7947", id, tlsCfg)
//	err = c.Send(wire.Encode(msg))
//	...
//	c, err := transport.Accept(netConn, id, tlsCfg)
//	payload, err := c.Recv()
package transport
