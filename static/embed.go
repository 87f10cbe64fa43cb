// Package static holds the built CSS, the vendored htmx and the page scripts, embedded so the binary runs with nothing beside it.
package static

import "embed"

//go:embed css js
var Files embed.FS
