//go:build !release

package web

import (
	"io/fs"
	"os"
)

// DistDir is where a default (non-release) build looks for the bundle, relative to the working directory.
const DistDir = "web/dist"

// distFS reads the bundle from disk at every request, so `make web` shows on reload.
func distFS() fs.FS { return os.DirFS(DistDir) }
