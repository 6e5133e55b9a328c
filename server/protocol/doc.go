// Package protocol encodes and decodes the messages a Meridian server exchanges with Yjs clients over a
// WebSocket: the y-websocket framing (sync step 1, step 2 and update; awareness; auth; query-awareness) and
// Meridian's opt-in extension messages (hello, durable acknowledgement).
//
// The package is pure: no I/O, no goroutines, no clock. Callers pass the time in where it matters
// (Awareness). Every decoder returns an error for malformed input and never panics; each has a fuzz target.
//
// The usage loop of a server connection:
//
//	msg, err := protocol.DecodeMessage(frame)   // one WebSocket binary frame = one message
//	switch msg.Type {
//	case protocol.MessageSync:
//		switch msg.Sync.Type {
//		case protocol.SyncStep1:  reply(protocol.EncodeSyncStep2(doc.EncodeStateAsUpdate(sv)))
//		case protocol.SyncStep2, protocol.SyncUpdate: apply(msg.Sync.Payload)
//		}
//	case protocol.MessageAwareness:
//		changes, err := awareness.Apply(msg.Payload, now)   // clock rules of y-protocols
//		broadcast(protocol.EncodeAwarenessMessage(changes))
//	}
//
// Byte formats are those of yjs-protocol.md §6; the extension messages are documented in server/PROTOCOL.md.
package protocol
