// Package browsertest drives a real Chromium against the running
// application for the browser tests: one headless browser for a whole test
// run, a fresh browser context (cookies, storage) for each test, and
// helpers that find fields by their label and buttons and links by their
// name, as a person does.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// ErrNoChromium is returned by Launch when no Chromium is installed.
var ErrNoChromium = errors.New("no Chromium found at $CHROMIUM_PATH or /usr/bin/chromium (Debian: apt-get install -y chromium)")

// Browser is one running headless Chromium.
type Browser struct {
	ctx    context.Context
	cancel func()
	// HTML collects the pages the tests saw, for the Nu HTML Checker.
	HTML *Collector
	// Shots, when not nil, writes screenshots of every checked state.
	Shots *Screenshots
}

// FindChromium is the Chromium to run: $CHROMIUM_PATH, else Debian's.
func FindChromium() (string, error) {
	for _, p := range []string{os.Getenv("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", ErrNoChromium
}

// Launch starts Chromium and waits until it answers.
func Launch() (*Browser, error) {
	path, err := FindChromium()
	if err != nil {
		return nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(1280, 800),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	// The first run starts the browser, and the browser lives as long as
	// that run's context: it gets no timeout of its own.
	if err := chromedp.Do(bctx); err != nil {
		bcancel()
		acancel()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	return &Browser{ctx: bctx, cancel: func() { bcancel(); acancel() }, HTML: NewCollector()}, nil
}

// Close stops the browser.
func (b *Browser) Close() { b.cancel() }
