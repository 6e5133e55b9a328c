// Package web serves Meridian's browser collaborative editor: a CodeMirror 6 app over the Meridian
// JavaScript SDK, written in web/src and bundled by esbuild into web/dist (`make web`, which runs
// `npm run build -w @meridian-sync/web`).
//
// Mount it at the root of the server's mux, so that every path the API does not claim reaches the app:
//
//	mux.Handle("/", web.Handler())
//
// Register it without a method: "GET /" conflicts with method-less patterns such as "/v1/docs/" (net/http
// panics at registration). The handler itself answers 405 to anything but GET and HEAD.
//
// The app routes with the URL fragment (/#/d/<doc id>, /#/cluster), so the handler only ever serves files:
// index.html for "/", and the bundle next to it.
//
// Where the files come from depends on the build:
//   - the default build reads web/dist from disk, relative to the working directory (`make run` starts the
//     binary at the repository root), so a rebuilt bundle shows on reload without rebuilding the binary; when
//     the bundle is missing it serves a page that says to run `make web`;
//   - `go build -tags release` embeds web/dist into the binary with go:embed, so a release binary needs no
//     files beside it. It fails to compile until `make web` has produced web/dist, which is what a release
//     build wants.
package web
