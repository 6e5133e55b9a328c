// Package client is the Go SDK for Meridian: a live, offline-capable handle on one collaborative document.
//
//	c, err := client.Dial(ctx, "wss://sync.example.com/ws", "team/notes",
//		client.WithTokenSource(fetchToken),        // asked on every (re)connect and before expiry
//		client.WithOfflineDir(cacheDir))            // unsaved edits survive a restart of the program
//	if err != nil { ... }                           // a bad token or a refused document fails here
//	defer c.Close()
//
//	err = c.Edit(func(doc *crdt.Doc) {                // one transaction, sent to everyone
//		_ = doc.GetText("body").Insert(0, "hi", nil)
//	})
//	c.OnChange(func(ch client.Change) { ... })        // local and remote changes
//	c.OnStatus(func(s client.Status) { ... })         // connecting, connected, synced, saved, offline, closed
//	err = c.WaitSaved(ctx)                            // every edit durably stored by the server
//	_ = c.Awareness().SetLocalState(map[string]any{"name": "Ada"})
//
// # Concurrency
//
// The crdt.Doc is not safe for concurrent use, and the client applies remote updates to it from its own
// goroutine. Touch the document only inside Edit, Read and OnChange callbacks, which hold the client's lock.
// Everything else on Client and Awareness is safe to call from any goroutine.
//
// # Connection, offline edits and "saved"
//
// Dial asks the server for Meridian's wire extensions (server/PROTOCOL.md): hello (region and node, in
// Status) and ack, the server's statement that the client's updates are durably stored. Every local edit stays
// in a queue (and in the offline directory, when given) until an ack covers it; Status.Pending counts them and
// StateSaved means none is left. When the connection drops, the client goes offline, keeps accepting edits, and
// reconnects with jittered exponential backoff (WithBackoff); its first sync message carries everything the
// server lacks, offline edits included. A server restart therefore loses nothing: what was acknowledged is on
// the server's disk, the rest is still queued here.
//
// # Several endpoints (regions)
//
// WithEndpoints adds servers that hold the same documents. The client ranks them once by how fast their
// /readyz answers, connects to the fastest, moves to the next ready one when its connection is lost (with
// backoff), and moves back when a preferred one answers again (WithFailbackInterval). Status.Endpoint names
// the server in use. A move loses nothing: the first sync on the new endpoint sends what that server lacks.
//
// # Tokens and refusals
//
// The token travels in the Authorization header, never in the URL. A TokenSource is called before every
// connection and again shortly before the current token's exp claim (the client then reconnects with the new
// token; edits in flight are resent by the next sync); a fixed token (WithToken) that expires closes the client
// with ErrUnauthorized. Refusals retrying cannot fix (close codes 4400–4499) stop the client: Status.Err, the
// error of Dial, WaitSynced or WaitSaved, and Edit afterwards report a *CloseError, matching ErrUnauthorized,
// ErrForbidden or ErrReadOnly with errors.Is. A read-only token may read and follow the document; a local edit
// on it is refused by the server and reported as ErrReadOnly, and the edit stays visible in Pending instead of
// being silently dropped.
//
// # Shutdown
//
// Close, or cancelling Dial's context, withdraws our awareness state, closes the connection and stops every
// goroutine of the client. Unacknowledged edits remain in the offline directory for the next run.
package client
