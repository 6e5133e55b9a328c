//go:build release

package web

import (
	"embed"
	"io/fs"
)

// dist is the bundle, embedded at compile time; `all:` keeps files whose names start with a dot or underscore.
//
//go:embed all:dist
var dist embed.FS

func distFS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only on an invalid path name, and "dist" is valid: this cannot happen.
		panic(err)
	}
	return sub
}
