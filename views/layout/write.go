package layout

import "io"

// WriteStrings writes parts to w in turn: how the components written in
// Go (navLinks, views' summary rows) put out their markup.
func WriteStrings(w io.Writer, parts ...string) error {
	for _, s := range parts {
		if _, err := io.WriteString(w, s); err != nil {
			return err
		}
	}
	return nil
}
