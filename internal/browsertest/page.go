package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// stepTimeout bounds every step, so a page that never shows what a test
// waits for fails that test instead of hanging the run. It is generous:
// `go test ./...` runs the other packages' tests beside these on the same
// CPUs, and a page load then took over 10 s in CI.
const stepTimeout = 30 * time.Second

// eventually is how long Eventually waits, on a busy machine too.
const eventually = 5 * time.Second

// Page is one tab in a browser context of its own (its own cookies), on
// the application at Base.
type Page struct {
	t    testing.TB
	ctx  context.Context
	b    *Browser
	Base string
	// JS is false when the tab runs no script, as a browser with
	// JavaScript turned off.
	JS bool
	// scope is the XPath of the element that Within limits the labels
	// looked up to, or "" for the whole page.
	scope string
}

// Within is the same tab with its labels looked up only inside the
// element whose id is id: for forms that repeat a label, such as a list
// of rows with a "Key" each.
func (p *Page) Within(id string) *Page {
	in := *p
	in.scope = "//*[@id=" + xpathString(id) + "]"
	return &in
}

// Option changes how a Page opens.
type Option func(*Page)

// NoScript opens the tab with JavaScript turned off.
func NoScript(p *Page) { p.JS = false }

// Open opens a tab on the application at base. It ends with the test.
func (b *Browser) Open(t testing.TB, base string, opts ...Option) *Page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	p := &Page{t: t, ctx: ctx, b: b, Base: base, JS: true}
	for _, o := range opts {
		o(p)
	}
	// The first run opens the tab, which lives as long as that run's
	// context: it gets no timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !p.JS})
		return err
	}))
	p.Viewport(1280, 800)
	return p
}

// Do runs steps, each within stepTimeout, and fails the test on the first
// error.
func (p *Page) Do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	for _, s := range steps {
		ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
		err := chromedp.Do(ctx, s)
		cancel()
		if err != nil {
			p.t.Fatalf("at %s: %v", p.location(), err)
		}
	}
}

// run runs one action with a value, as Do does.
func run[T any](p *Page, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.t.Fatalf("at %s: %v", p.location(), err)
	}
	return v
}

func (p *Page) location() string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// Viewport sets the size of the window's content.
func (p *Page) Viewport(w, h int64) {
	p.t.Helper()
	p.Do(chromedp.EmulateViewport(w, h))
}

// Go loads path and waits for the page to load.
func (p *Page) Go(path string) {
	p.t.Helper()
	p.Do(chromedp.Navigate(p.Base + path))
}

// Back goes back in the tab's history.
func (p *Page) Back() {
	p.t.Helper()
	p.Do(chromedp.NavigateBack())
}

// Path is the path and query of the address bar.
func (p *Page) Path() string {
	p.t.Helper()
	return strings.TrimPrefix(p.location(), p.Base)
}

// Title is the document's title.
func (p *Page) Title() string {
	p.t.Helper()
	return run(p, chromedp.Title())
}

// Eval evaluates a JavaScript expression in the page (DevTools runs it
// also when the page's own scripts are off) and returns its value.
func Eval[T any](p *Page, expr string) T {
	p.t.Helper()
	return run(p, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// xpathString quotes s for an XPath expression.
func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return `concat("` + strings.ReplaceAll(s, `"`, `", '"', "`) + `")`
}

// Field is the CSS selector of the form control labelled label: the
// label's own text, before any "(optional)" or hint, is label.
func (p *Page) Field(label string) chromedp.CSS {
	p.t.Helper()
	q := xpathString(label)
	xp := fmt.Sprintf(`%s//label[normalize-space(text())=%s or normalize-space(.)=%s]`, p.scope, q, q)
	attr := run(p, chromedp.AttributeValue(xp, "for"))
	if !attr.Exists || attr.Value == "" {
		p.t.Fatalf("at %s: the label %q names no field", p.location(), label)
	}
	return chromedp.CSS(fmt.Sprintf(`[id=%q]`, attr.Value))
}

// Fill replaces the value of the field labelled label by typing value, key
// by key, as a person does; date fields are set whole, as a date picker
// does, with the events a browser fires.
func (p *Page) Fill(label, value string) {
	p.t.Helper()
	sel := p.Field(label)
	typ := run(p, chromedp.AttributeValue(sel, "type"))
	if typ.Value == "date" {
		p.Do(chromedp.SetValue(sel, value))
		p.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function(){var e=document.querySelector(%q);`+
			`e.dispatchEvent(new Event("input",{bubbles:true}));e.dispatchEvent(new Event("change",{bubbles:true}))})()`, string(sel)),
			chromedp.EvalIgnoreExceptions))
		return
	}
	p.Do(chromedp.Focus(sel), chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).select()`, string(sel))))
	if value == "" {
		p.Do(chromedp.KeyEvent(kb.Delete))
		return
	}
	p.Do(chromedp.SendKeys(sel, value))
}

// Choose selects the option whose text is option in the select labelled
// label, with the events a browser fires when a person picks one.
func (p *Page) Choose(label, option string) {
	p.t.Helper()
	sel := p.Field(label)
	ok := Eval[bool](p, fmt.Sprintf(`(function(){var s=document.querySelector(%q);`+
		`var o=Array.from(s.options).find(function(o){return o.text.trim()===%q;});if(!o)return false;`+
		`s.value=o.value;s.dispatchEvent(new Event("input",{bubbles:true}));s.dispatchEvent(new Event("change",{bubbles:true}));return true})()`, string(sel), option))
	if !ok {
		p.t.Fatalf("at %s: the select %q has no option %q", p.location(), label, option)
	}
}

// Tick clicks the checkbox or radio button labelled label, unless it is
// ticked already.
func (p *Page) Tick(label string) {
	p.t.Helper()
	sel := p.Field(label)
	if !Eval[bool](p, fmt.Sprintf(`document.querySelector(%q).checked`, string(sel))) {
		p.Do(chromedp.Click(sel, chromedp.NodeVisible))
	}
}

// Value is the current value of the field labelled label.
func (p *Page) Value(label string) string {
	p.t.Helper()
	return run(p, chromedp.Value(p.Field(label)))
}

// named is the XPath of the visible-text name of a button or a link.
func named(role, name string) string {
	q := xpathString(name)
	switch role {
	case "button":
		return fmt.Sprintf(`//button[normalize-space(.)=%s or @aria-label=%s] | //input[(@type="submit" or @type="button") and @value=%s]`, q, q, q)
	case "link":
		return fmt.Sprintf(`//a[normalize-space(.)=%s or @aria-label=%s]`, q, q)
	}
	panic("browsertest: no role " + role)
}

// Click clicks the visible button or link (role) named name with the
// mouse. Without JavaScript every click loads a page, and Click waits for
// it as Follow does.
func (p *Page) Click(role, name string) {
	p.t.Helper()
	if !p.JS {
		p.Follow(role, name)
		return
	}
	p.Do(chromedp.Click(named(role, name), chromedp.NodeVisible))
}

// Follow clicks a button or link that loads another page, and waits until
// it has loaded.
func (p *Page) Follow(role, name string) {
	p.t.Helper()
	p.WaitLoad(chromedp.Click(named(role, name), chromedp.NodeVisible))
}

// WaitLoad runs a step that loads another page, such as a key press on a
// link, and waits until it has loaded.
//
// The old page is marked first, so that when the wait for the new page's
// response fails, the page itself says whether a new one loaded (the
// wait missed its events: the step did what it should) or not (the step
// loaded nothing, which fails the test).
func (p *Page) WaitLoad(step chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	Eval[bool](p, `window.__beforeWaitLoad = true`)
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	_, err := chromedp.RunResponse(ctx, step)
	if err != nil && !p.Eventually(`window.__beforeWaitLoad === undefined && document.readyState === "complete"`) {
		p.t.Fatalf("at %s: no new page loaded: %v", p.location(), err)
	}
}

// Has reports whether an element matches css now.
func (p *Page) Has(css string) bool {
	p.t.Helper()
	return Eval[bool](p, fmt.Sprintf(`document.querySelector(%q) !== null`, css))
}

// Count is how many elements match css now.
func (p *Page) Count(css string) int {
	p.t.Helper()
	return Eval[int](p, fmt.Sprintf(`document.querySelectorAll(%q).length`, css))
}

// Text is the visible text of the first element matching css, with its
// white space collapsed, waiting until one is there.
func (p *Page) Text(css string) string {
	p.t.Helper()
	txt := run(p, chromedp.Text(chromedp.CSS(css), chromedp.NodeVisible))
	return strings.Join(strings.Fields(txt), " ")
}

// Attr is an attribute of the first element matching css, or "".
func (p *Page) Attr(css, name string) string {
	p.t.Helper()
	return run(p, chromedp.AttributeValue(chromedp.CSS(css), name)).Value
}

// WaitFor waits until an element matching css is visible.
func (p *Page) WaitFor(css string) {
	p.t.Helper()
	p.Do(chromedp.WaitVisible(chromedp.CSS(css)))
}

// WaitGone waits until no element matches css.
func (p *Page) WaitGone(css string) {
	p.t.Helper()
	p.Do(chromedp.WaitNotPresent(chromedp.CSS(css)))
}

// WaitUntil waits until the JavaScript expression is true.
func (p *Page) WaitUntil(expr string) {
	p.t.Helper()
	p.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))(ctx, tg)
		return err
	}))
}

// Press sends keys to the focused element: kb.Tab, kb.Enter, " ".
func (p *Page) Press(keys string) {
	p.t.Helper()
	p.Do(chromedp.KeyEvent(keys))
}

// ShiftTab moves focus back.
func (p *Page) ShiftTab() {
	p.t.Helper()
	p.Do(chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
}

// Eventually reports whether the JavaScript expression becomes true
// within eventually: for what follows a swap a moment later (htmx
// settles after it swaps).
func (p *Page) Eventually(expr string) bool {
	p.t.Helper()
	deadline := time.Now().Add(eventually)
	for {
		if Eval[bool](p, "Boolean("+expr+")") {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}
