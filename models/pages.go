package models

// UserPage is one page of search results. Pagination is keyset
// (seek) pagination: each page starts after the sort key of the last row
// of the one before, so page 1,000 costs what page 1 does, and rows added
// meanwhile do not shift the pages.
type UserPage struct {
	Users      []User
	Next, Prev string // cursors; empty when there is no such page
}
