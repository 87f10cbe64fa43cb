package models

// UserPage is one page of search results. Pagination is keyset
// (seek) pagination: each page starts after the sort key of the last row
// of the one before, so page 1,000 costs what page 1 does, and rows added
// meanwhile do not shift the pages.
type UserPage struct {
	Users      []User
	Next, Prev string // cursors; empty when there is no such page
	// Matches is how many users match, counted up to UserCountCap + 1;
	// MatchesKnown is false when they were not counted.
	Matches      int64
	MatchesKnown bool
}

// UserCountCap is as far as the user list counts its matches: past it,
// the list says "more than 1,000" rather than walk a million users for an
// exact figure.
const UserCountCap = 1000
