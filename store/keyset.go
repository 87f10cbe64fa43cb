package store

import "slices"

// seek says where a keyset page starts: after a cursor (the next page), or
// before one (the previous page, read in the opposite order and turned
// round afterwards). The user list and the audit log page this way.
type seek struct {
	cur       cursor
	has       bool // a cursor was given
	backwards bool // reading towards the start
}

// seekFrom reads the After and Before cursors of a query; After wins.
func seekFrom(after, before string) seek {
	if c, ok := decodeCursor(after); ok {
		return seek{cur: c, has: true}
	}
	if c, ok := decodeCursor(before); ok {
		return seek{cur: c, has: true, backwards: true}
	}
	return seek{}
}

// finishPage trims rows read with limit+1 to the page, puts them in
// display order, and returns the cursors of the next and previous pages
// ("" where there is none). key is a row's sort key.
func finishPage[T any](rows []T, limit int, s seek, key func(*T) cursor) (page []T, next, prev string) {
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	if s.backwards {
		slices.Reverse(rows)
	}
	if len(rows) == 0 {
		return rows, "", ""
	}
	if (!s.backwards && more) || (s.backwards && s.has) {
		next = encodeCursor(key(&rows[len(rows)-1]))
	}
	if (s.backwards && more) || (!s.backwards && s.has) {
		prev = encodeCursor(key(&rows[0]))
	}
	return rows, next, prev
}
