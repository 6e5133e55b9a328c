// Package wire defines the messages nodes exchange for replication and their binary encoding.
//
// One Message type carries every kind (as raftpb.Message does): Kind says which fields are meaningful.
// Encode writes a message as a type byte followed by the kind's fields; Decode parses it back and
// returns an error (never a panic) for truncated, oversized or malformed input. From and To are not
// encoded: a peer stream already knows both ends. PROTOCOL.md in the parent directory is the
// byte-level specification; the fuzz test checks that Decode∘Encode is the identity on what decodes.
//
//	b := wire.Encode(wire.Message{Kind: wire.KindAck, Next: 42})
//	m, err := wire.Decode(b, wire.DefaultLimits)
package wire
