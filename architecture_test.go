package main

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// layers says which of the module's packages each package may import, as
// docs/ARCHITECTURE.md draws them: a request reads top to bottom and never
// climbs back. Tests may import more (internal/testapp builds the app).
var layers = map[string][]string{
	"models":               {},
	"migrations":           {},
	"static":               {},
	"config":               {},
	"ops":                  {},
	"internal/slots":       {},
	"internal/tokencookie": {},
	"store":                {"internal/slots", "models", "migrations"},
	"auth":                 {"internal/slots", "internal/tokencookie", "models", "store"},
	"views/components":     {"models"},
	"views/layout":         {"models", "static"},
	"views":                {"models", "views/components", "views/layout"},
	"handlers":             {"auth", "internal/slots", "models", "ops", "store", "static", "views", "views/components", "views/layout"},
	"mailer":               {"models"},
	"server":               {"auth", "config", "handlers", "internal/slots", "mailer", "models", "ops", "store"},
	"cmd/genusers":         {"models", "store"},
	"cmd/load":             {},
	"cmd/refpage":          {"internal/tokencookie"},
	"internal/testapp":     {"config", "models", "ops", "server", "store"},
	"internal/browsertest": {},
	".":                    {"config", "ops", "server"},
}

// Every package imports only the layers below it, and every package is in
// the map, so a new one is placed on purpose.
func TestLayers(t *testing.T) {
	fset := token.NewFileSet()
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		allowed, ok := layers[pkg]
		if !ok {
			t.Errorf("%s: package %s has no place in the layers: add it to layers and docs/ARCHITECTURE.md", path, pkg)
			return nil
		}
		seen[pkg] = true
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			dep, internal := strings.CutPrefix(p, "myaccount/")
			if internal && !slices.Contains(allowed, dep) {
				t.Errorf("%s imports %s: %s may import only %v", path, p, pkg, allowed)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for pkg := range layers {
		if !seen[pkg] {
			t.Errorf("layers names %s, which has no Go files", pkg)
		}
	}
}

// docs/ARCHITECTURE.md's table of imports is layers, line for line.
func TestArchitectureDocMatchesLayers(t *testing.T) {
	doc, err := os.ReadFile("docs/ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(doc), "```\n")
	table, _, found := strings.Cut(rest, "```")
	if !found {
		t.Fatal("docs/ARCHITECTURE.md has no table of imports")
	}
	drawn := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(table), "\n") {
		pkg, deps, _ := strings.Cut(strings.TrimSpace(line), " ")
		list := []string{}
		if deps = strings.TrimSpace(deps); deps != "nothing of ours" {
			list = strings.Split(deps, ", ")
		}
		drawn[pkg] = list
	}
	for pkg, allowed := range layers {
		got, ok := drawn[pkg]
		sorted := slices.Sorted(slices.Values(got))
		if !ok || !slices.Equal(sorted, slices.Sorted(slices.Values(allowed))) {
			t.Errorf("docs/ARCHITECTURE.md: %s may import %v, layers says %v", pkg, got, allowed)
		}
	}
	for pkg := range drawn {
		if _, ok := layers[pkg]; !ok {
			t.Errorf("docs/ARCHITECTURE.md names %s, which layers does not", pkg)
		}
	}
}
