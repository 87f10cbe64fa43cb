package models

import "strings"

// UserAgentInfo is what a User-Agent header says about the browser and
// system a session was started from or a change made with, for people to
// recognise their sessions and notices. It is a description, never a
// security decision: any client can send any User-Agent.
type UserAgentInfo struct {
	// Browser is the browser's family ("Firefox", "Samsung Internet",
	// "curl"), or "" when it is not recognised.
	Browser string
	// Version is the browser's major version, or "".
	Version string
	// OS is the operating system ("Windows", "iPadOS"), or "".
	OS string
}

// String reads as "Firefox 133 on Windows", "Safari on iOS" or
// "Unknown browser on Linux"; with nothing recognised, "Unknown browser".
func (d UserAgentInfo) String() string {
	s := d.Browser
	if s == "" {
		s = "Unknown browser"
	} else if d.Version != "" {
		s += " " + d.Version
	}
	if d.OS != "" {
		s += " on " + d.OS
	}
	return s
}

// browserTokens are matched in order, first match wins: browsers built on
// Chromium or WebKit also name Chrome and Safari, so the specific ones
// come first. A token ending in "/" is followed by the version.
var browserTokens = []struct{ token, name string }{
	{"EdgA/", "Edge"}, {"EdgiOS/", "Edge"}, {"Edg/", "Edge"}, {"Edge/", "Edge"},
	{"OPR/", "Opera"}, {"OPX/", "Opera"}, {"OPT/", "Opera"}, {"OPiOS/", "Opera"},
	{"SamsungBrowser/", "Samsung Internet"},
	{"FxiOS/", "Firefox"}, {"Firefox/", "Firefox"},
	{"CriOS/", "Chrome"}, {"Chromium/", "Chromium"}, {"Chrome/", "Chrome"},
	{"curl/", "curl"},
}

// osTokens are matched in order, first match wins: Android and ChromeOS
// also say Linux, and iPhones say "like Mac OS X".
var osTokens = []struct{ token, name string }{
	{"Windows", "Windows"},
	{"iPhone", "iOS"}, {"iPod", "iOS"}, {"iPad", "iPadOS"},
	{"CrOS", "ChromeOS"},
	{"Android", "Android"},
	{"Macintosh", "macOS"}, {"Mac OS X", "macOS"},
	{"Linux", "Linux"}, {"X11", "Linux"},
}

// ParseUserAgent recognises the common browsers and systems in ua.
func ParseUserAgent(ua string) UserAgentInfo {
	var d UserAgentInfo
	for _, b := range browserTokens {
		if i := strings.Index(ua, b.token); i >= 0 {
			d.Browser, d.Version = b.name, majorVersion(ua[i+len(b.token):])
			break
		}
	}
	if d.Browser == "" && strings.Contains(ua, "Safari/") && strings.Contains(ua, "AppleWebKit/") {
		// Safari's own version is in Version/; Safari/ is the WebKit build.
		d.Browser = "Safari"
		if i := strings.Index(ua, "Version/"); i >= 0 {
			d.Version = majorVersion(ua[i+len("Version/"):])
		}
	}
	if d.Browser == "" && strings.HasPrefix(ua, "Opera") {
		d.Browser = "Opera" // Presto-era Opera: its Opera/9.80 is not the version
	}
	for _, o := range osTokens {
		if strings.Contains(ua, o.token) {
			d.OS = o.name
			break
		}
	}
	return d
}

// majorVersion is the leading digits of s, as in "133" from "133.0".
func majorVersion(s string) string {
	n := 0
	for n < len(s) && n < 6 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return s[:n]
}

// DescribeUserAgent reads ua as people do: "Firefox 133 on Windows".
func DescribeUserAgent(ua string) string { return ParseUserAgent(ua).String() }
