package models_test

import (
	"testing"
	"time"

	"myaccount/models"
)

func TestLockoutWait(t *testing.T) {
	p := models.LockoutPolicy{FirstWaitMinutes: 5, MaxWaitMinutes: 60, PermanentAfter: 3}
	for n, want := range map[int]time.Duration{
		1: 5 * time.Minute, 2: 10 * time.Minute, 3: 20 * time.Minute, 4: 40 * time.Minute, 5: time.Hour, 6: time.Hour, 100: time.Hour,
	} {
		if got := p.Wait(n); got != want {
			t.Errorf("Wait(%d): got %v, want %v", n, got, want)
		}
	}
	for n, want := range map[int]bool{1: false, 3: false, 4: true, 9: true} {
		if got := p.Permanent(n); got != want {
			t.Errorf("Permanent(%d): got %v, want %v", n, got, want)
		}
	}
	if (models.LockoutPolicy{}).Permanent(1000) {
		t.Errorf("no PermanentAfter: got a permanent lock, want never")
	}
	// A policy with nothing set still waits a minute; a longest shorter
	// than the first is the first.
	if got := (models.LockoutPolicy{}).Wait(1); got != time.Minute {
		t.Errorf("zero policy: got %v, want a minute", got)
	}
	if got := (models.LockoutPolicy{FirstWaitMinutes: 30, MaxWaitMinutes: 10}).Wait(3); got != 30*time.Minute {
		t.Errorf("longest under first: got %v, want 30m", got)
	}
}

func TestAttemptBudgetLocked(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Second), now.Add(-time.Second)
	for _, tc := range []struct {
		until *time.Time
		want  bool
	}{{nil, false}, {&later, true}, {&earlier, false}, {&now, false}} {
		if got := (models.AttemptBudget{LockedUntil: tc.until}).LockedAt(now); got != tc.want {
			t.Errorf("LockedUntil %v: got %v, want %v", tc.until, got, tc.want)
		}
	}
}
