// Package static holds the built CSS, the vendored htmx and the page
// scripts, embedded so the binary runs with nothing beside it.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
)

// Files are the files served under /static/.
//
//go:embed css js
var Files embed.FS

var versions = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	_ = fs.WalkDir(Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := Files.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[path] = hex.EncodeToString(sum[:6])
		return nil
	})
	return out
})

// URL is the address of an embedded file with its content hash, so the
// file can be cached for a year and a new build is fetched at once.
func URL(name string) string {
	return "/static/" + name + "?v=" + versions()[name]
}

// Version is the content hash of name, or "" when there is no such file.
func Version(name string) string { return versions()[name] }
