package handlers

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"myaccount/auth"
	"myaccount/store"
)

// A wait for a turn past the deadline is the service busy (503, with what
// was busy), not the database unavailable and not a server error.
func TestClassifyBusy(t *testing.T) {
	for _, tt := range []struct {
		err     error
		message string
	}{
		{fmt.Errorf("search users: %w: %w", store.ErrSearchBusy, context.DeadlineExceeded), "Too many searches are running at once. Try again in a few seconds."},
		{fmt.Errorf("sign in: %w: %w", auth.ErrBusy, context.DeadlineExceeded), "Too many people are signing in at once. Try again in a few seconds."},
		{fmt.Errorf("%w: %w", ErrReadsBusy, context.DeadlineExceeded), "Too many pages are being loaded at once. Try again in a few seconds."},
	} {
		p := classify(tt.err)
		if p.status != http.StatusServiceUnavailable || p.title != "Sorry, the service is busy" || p.message != tt.message {
			t.Errorf("classify(%v) = %d %q %q, want 503, busy, %q", tt.err, p.status, p.title, p.message, tt.message)
		}
	}
}
