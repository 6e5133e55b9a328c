package web

import (
	"io/fs"
	"net/http"
	"os"
	"path"
)

// Handler serves the editor: the embedded bundle in a release build, web/dist from disk otherwise (see the
// package documentation).
func Handler() http.Handler { return FSHandler(distFS()) }

// DirHandler serves the bundle found in dir, or the "run make web" page while dir holds no index.html.
func DirHandler(dir string) http.Handler { return FSHandler(os.DirFS(dir)) }

// FSHandler serves the bundle held by files (index.html at its root). It never lists directories, and it
// asks browsers to revalidate every file: the bundle's names carry no content hash, so a cached copy could
// otherwise outlive a rebuild.
func FSHandler(files fs.FS) http.Handler {
	static := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if _, err := fs.Stat(files, "index.html"); err != nil {
			serveNotBuilt(w)
			return
		}
		name := path.Clean("/" + r.URL.Path)
		if info, err := fs.Stat(files, name[1:]); name != "/" && (err != nil || info.IsDir()) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		static.ServeHTTP(w, r)
	})
}
