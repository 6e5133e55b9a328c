package web

import (
	"io"
	"net/http"
)

// notBuiltPage is what a developer sees at / before the bundle exists: the fix, not a bare 404.
const notBuiltPage = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Meridian: editor not built</title>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>The editor is not built yet</h1>
<p>Meridian is running (the WebSocket endpoint is <code>/ws/{doc}</code>, the API is under <code>/v1/</code>),
but the browser editor's bundle is missing. Build it from the repository root, then reload this page:</p>
<pre>make web</pre>
<p>This binary reads the bundle from <code>web/dist</code> relative to its working directory; a binary built
with <code>go build -tags release</code> embeds it instead.</p>
</body>
</html>
`

func serveNotBuilt(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = io.WriteString(w, notBuiltPage)
}
