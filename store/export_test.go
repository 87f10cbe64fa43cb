package store

// BenchCursor is the cursor of a page ending at the row whose sort key is
// value and id is id, as Search would make it: the benchmark starts deep
// pages with it without walking every page before.
func BenchCursor(value, id string) string { return encodeCursor(cursor{Value: value, ID: id}) }
