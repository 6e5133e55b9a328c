// Package server is the regional Meridian node: Yjs clients sync documents over authenticated WebSockets
// (y-websocket protocol at /ws/{doc}), documents are stored durably in Pebble (package store), and an HTTP
// API, health checks and Prometheus metrics share the same port.
//
// Wiring it (what cmd/meridian does):
//
//	err := server.RunServe(ctx, os.Args[2:], os.LookupEnv, logger, nil) // meridian serve [flags]; the last argument serves "/" (the editor)
//	err := server.RunToken(os.Args[2:], os.LookupEnv, os.Stdout)     // meridian token --doc D --perm write
//
// or, for finer control, server.RegisterServeFlags + server.ApplyEnv + flag parsing, then
// server.New(cfg) and (*Server).Run(ctx), or mount (*Server).Handler() yourself and call Shutdown.
//
// Inside, each loaded document is a room: one goroutine owns the crdt.Doc, the awareness table and the
// connections, and applies their messages in order. An update is applied in memory, appended to the store
// (group commit), and broadcast and acknowledged only once its batch is synced (room_durable.go). Rooms unload
// after IdleUnload without connections; a connection to a document being loaded waits for the load.
// Each connection has a reader goroutine (limits, decoding) and an outbox (session_writer.go): a bounded
// queue whose writer goroutine runs only while there is something to send, and writes everything queued in
// one system call (wsframe.go encodes the frames). A room corks its members' outboxes while it handles an
// event and then writes all its members' frames itself, every member's in one non-blocking send, all of them
// in one io_uring submission (session_direct.go, server/internal/uring; one write(2) per member where
// io_uring is off or forbidden); the writer goroutine, with its write timeout, takes over only what a full
// socket did not take. Keepalive pings and token expiry are timers that start the
// writer; an idle connection holds no writer, no queue and no HTTP server state. --debug-addr serves
// net/http/pprof on a loopback address (debug.go). The wire extensions are described in PROTOCOL.md.
//
// Security (Config.Security, SECURITY.md at the repository root): --tls-cert/--tls-key make the port TLS
// only, with the certificate reloaded when its files change (tls_reload.go); the token keys (--jwt-secret,
// --jwt-public-keys, --jwks-file, --jwks-url) are reread every --jwks-refresh and swapped atomically
// (keys_reload.go); AbuseLimits cap connections and messages per token subject and per remote address
// (abuse.go); administrative actions (document deletes, key and certificate reloads) are logged as
// `audit=true` lines (audit.go).
package server
