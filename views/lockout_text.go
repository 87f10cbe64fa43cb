package views

import (
	"strconv"
	"time"
)

// FailedAttemptsNotice tells a user who just signed in how many password
// attempts failed for their account since their previous sign-in (wrong
// ones, and those refused unread during a pause or a lock), the last in
// the order of their language lang.
func FailedAttemptsNotice(lang string, n int, last *time.Time) string {
	what := strconv.Itoa(n) + " failed password attempts were"
	if n == 1 {
		what = "1 failed password attempt was"
	}
	msg := what + " made on your account since you last signed in"
	if last != nil {
		msg += ", the last on " + momentText(lang, last)
	}
	return msg + ". If that was not you, change your password."
}

// LockedNotice says a signed-in user's password attempts are locked, until
// when, or for good. It is the same whatever was typed.
func LockedNotice(permanent bool, until time.Time) string {
	if permanent {
		return "Your account is locked after too many wrong passwords. Contact the programme's support to unlock it."
	}
	return "Too many wrong passwords. You can try again after " + until.UTC().Format("15:04 UTC") +
		" (in " + WaitText(time.Until(until)) + ")."
}

// WaitText is a wait for people: seconds up to a minute and a half, then
// whole minutes.
func WaitText(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	switch {
	case secs <= 1:
		return "a second"
	case secs < 90:
		return strconv.Itoa(secs) + " seconds"
	}
	return strconv.Itoa((secs+59)/60) + " minutes"
}

// LifetimeText is how long a link works, for people: "30 minutes",
// "1 hour", "7 days", in the largest whole unit it is.
func LifetimeText(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + one + "s"
	}
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return unit(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	}
	return unit(int64((d+time.Second-1)/time.Second), "second")
}
