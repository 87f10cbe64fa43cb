package browsertest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core's axe.min.js (see testdata/README.md).
//
//go:embed testdata/axe.min.js
var axeSource string

// axeTags are the rules run on every state: WCAG 2.0, 2.1 and 2.2 at
// levels A and AA, and axe's best practices.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"}

// axeViolation is one failed rule with the elements it failed on.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// Check is what every page and every state a test reaches goes through:
// axe-core finds no violation of any impact; the document is kept for the
// Nu HTML Checker; and, when screenshots are asked for, it is
// photographed at desktop and phone sizes. name names the state
// (such as "profile-errors") in messages and file names.
func (p *Page) Check(name string) {
	p.t.Helper()
	if p.JS {
		p.axe(name)
	}
	html := Eval[string](p, `"<!DOCTYPE html>\n" + document.documentElement.outerHTML`)
	p.b.HTML.Add(name, html)
	// Pages without JavaScript look the same: one picture of each state.
	if p.b.Shots != nil && p.JS && !strings.HasPrefix(name, "keyboard-") {
		p.b.Shots.take(p, name)
	}
}

// CheckOnce checks the state name as Check does, unless a test of this
// run checked it already: for a page every test passes through, such as
// the sign-in form.
func (p *Page) CheckOnce(name string) {
	p.t.Helper()
	if !p.b.HTML.Has(name) {
		p.Check(name)
	}
}

func (p *Page) axe(name string) {
	p.t.Helper()
	if !Eval[bool](p, `typeof window.axe === "object"`) {
		p.Do(chromedp.Evaluate[chromedp.Void](axeSource))
	}
	tags, _ := json.Marshal(axeTags)
	raw := Eval[string](p, fmt.Sprintf(`axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]})`+
		`.then(function (r) { return JSON.stringify(r.violations); })`, tags))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		p.t.Fatalf("%s: axe: %v", name, err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprintf("%v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " ")))
		}
		p.t.Errorf("%s (%s): axe %s (%s): %s\n\t%s", name, p.Path(), v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
	}
}

// Screenshots writes a PNG of each checked state at each size into Dir.
type Screenshots struct {
	Dir string
}

// screenSizes are the sizes screenshots are taken at: a laptop, and a
// phone in CSS pixels.
var screenSizes = []struct {
	suffix string
	w, h   int64
}{{"desktop", 1280, 800}, {"phone", 390, 844}}

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

func (s *Screenshots) take(p *Page, name string) {
	p.t.Helper()
	for _, size := range screenSizes {
		p.Viewport(size.w, size.h)
		// Full pages, at one CSS pixel a pixel: the whole form is seen
		// and the files stay small.
		png, err := smallPNG(run(p, chromedp.FullScreenshot(100)))
		if err != nil {
			p.t.Fatalf("screenshot: %v", err)
		}
		file := filepath.Join(s.Dir, unsafeName.ReplaceAllString(strings.ToLower(name), "-")+"-"+size.suffix+".png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			p.t.Fatalf("screenshot: %v", err)
		}
	}
	p.Viewport(screenSizes[0].w, screenSizes[0].h)
}

// maxShotHeight is the most of a page's height a screenshot keeps: the
// API reference runs to 30,000 pixels on a phone.
const maxShotHeight = 8000

// smallPNG re-encodes a screenshot with a palette of its 256 most used
// colours, at the best compression: a page has a few flat colours and
// the shades of anti-aliased text, so it looks the same at a third of
// the size. A page taller than maxShotHeight keeps its top.
func smallPNG(raw []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	r := img.Bounds()
	r.Max.Y = min(r.Max.Y, r.Min.Y+maxShotHeight)
	rgba := image.NewRGBA(r)
	draw.Draw(rgba, r, img, r.Min, draw.Src)
	counts := map[color.RGBA]int{}
	for i := 0; i+3 < len(rgba.Pix); i += 4 {
		counts[color.RGBA{rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2], rgba.Pix[i+3]}]++
	}
	common := make([]color.RGBA, 0, len(counts))
	for c := range counts {
		common = append(common, c)
	}
	// Ties go by the colour itself, so the same page makes the same file.
	slices.SortFunc(common, func(a, b color.RGBA) int {
		if n := counts[b] - counts[a]; n != 0 {
			return n
		}
		return slices.Compare([]uint8{a.R, a.G, a.B, a.A}, []uint8{b.R, b.G, b.B, b.A})
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range common[:min(len(common), 256)] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(r, pal)
	index := map[color.RGBA]uint8{}
	for i, j := 0, 0; i+3 < len(rgba.Pix); i, j = i+4, j+1 {
		c := color.RGBA{rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2], rgba.Pix[i+3]}
		k, ok := index[c]
		if !ok {
			k = uint8(pal.Index(c))
			index[c] = k
		}
		out.Pix[j] = k
	}
	var buf bytes.Buffer
	err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, out)
	return buf.Bytes(), err
}
