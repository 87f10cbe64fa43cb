package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Collector keeps the documents of the states the tests reached, to check
// them all with one start of the Nu HTML Checker (Java starts slowly).
type Collector struct {
	mu   sync.Mutex
	docs map[string]string
}

// NewCollector is an empty Collector.
func NewCollector() *Collector { return &Collector{docs: map[string]string{}} }

// Add keeps the document of the state name; a later one of the same name
// replaces it.
func (c *Collector) Add(name, html string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.docs[name] = html
}

// Has reports whether the document of the state name is kept.
func (c *Collector) Has(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.docs[name]
	return ok
}

// Len is how many documents are kept.
func (c *Collector) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.docs)
}

// ErrNoChecker is returned by Validate when Java or vnu.jar is missing.
var ErrNoChecker = errors.New("the Nu HTML Checker needs java on PATH (Debian: apt-get install -y default-jre-headless) and vnu.jar from npm ci (node_modules/vnu-jar) or $VNU_JAR")

// htmxAttribute is the checker's message for an attribute of htmx's own,
// which HTML does not define: the one error the application accepts.
var htmxAttribute = regexp.MustCompile(`^Attribute “hx-[a-z-]+” not allowed on element`)

// vnuMessage is one message of the checker's JSON output.
type vnuMessage struct {
	Type      string `json:"type"`
	URL       string `json:"url"`
	LastLine  int    `json:"lastLine"`
	Message   string `json:"message"`
	Extract   string `json:"extract"`
	SubType   string `json:"subType"`
	FirstLine int    `json:"firstLine"`
}

// Validate runs the Nu HTML Checker once over every kept document and
// returns its errors, one line each, apart from htmx's attribute names.
func (c *Collector) Validate(ctx context.Context) ([]string, error) {
	jar, err := findVNU()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "vnu")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	c.mu.Lock()
	for name, html := range c.docs {
		if err := os.WriteFile(filepath.Join(dir, unsafeName.ReplaceAllString(name, "-")+".html"), []byte(html), 0o644); err != nil {
			c.mu.Unlock()
			return nil, err
		}
	}
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "java", "-jar", jar, "--format", "json", "--stdout", "--skip-non-html", dir)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	// The checker exits 1 when it finds an error: the JSON tells.
	if err := cmd.Run(); err != nil && out.Len() == 0 {
		return nil, fmt.Errorf("vnu: %v: %s", err, stderr.String())
	}
	var res struct {
		Messages []vnuMessage `json:"messages"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("vnu output: %v: %s", err, out.String())
	}
	var errs []string
	for _, m := range res.Messages {
		if m.Type != "error" && m.SubType != "fatal" || htmxAttribute.MatchString(m.Message) {
			continue
		}
		errs = append(errs, fmt.Sprintf("%s:%d: %s (in %q)", filepath.Base(m.URL), m.LastLine, m.Message, strings.TrimSpace(m.Extract)))
	}
	sort.Strings(errs)
	return errs, nil
}

// findVNU finds vnu.jar and checks that java is there to run it.
func findVNU() (string, error) {
	if _, err := exec.LookPath("java"); err != nil {
		return "", ErrNoChecker
	}
	if p := os.Getenv("VNU_JAR"); p != "" {
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoChecker
		}
		dir = parent
	}
}
