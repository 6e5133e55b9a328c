package meridian_test

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const modulePath = "github.com/meridian-sync/meridian"

// allowedImports is the import direction of DESIGN.md §2: for each top-level folder, which of our own top-level
// folders its Go files (tests included) may import. A folder may always import its own sub-packages.
var allowedImports = map[string][]string{
	"crdt":        {},
	"replication": {"crdt"},
	"server":      {"crdt", "replication"},
	"client":      {"crdt"},
	"web":         {},
	"deploy":      {"crdt", "client"}, // the chaos checker is a client of the deployment
	"cmd":         {"crdt", "server", "replication", "client", "web", "deploy"},
}

// TestImportDirection keeps the layout table of DESIGN.md true: a forbidden import fails here with the file named.
func TestImportDirection(t *testing.T) {
	problems, checked, err := importViolations(".")
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no Go files found: the test is not looking at the module")
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestImportDirectionCatchesViolations proves the checker itself fails on a forbidden import and an unknown folder.
func TestImportDirectionCatchesViolations(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("crdt/bad.go", `package crdt; import _ "`+modulePath+`/server"`)
	write("crdt/internal/x/ok.go", `package x; import _ "`+modulePath+`/crdt"`)
	write("server/ok.go", `package server; import _ "`+modulePath+`/crdt/internal/x"`)
	write("stray/x.go", `package stray`)
	problems, _, err := importViolations(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 2 || !strings.Contains(problems[0]+problems[1], "crdt/bad.go imports") ||
		!strings.Contains(problems[0]+problems[1], `"stray" is not in`) {
		t.Fatalf("want exactly the crdt->server import and the stray folder reported, got %q", problems)
	}
}

func importViolations(root string) (problems []string, checked int, err error) {
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if name := d.Name(); rel != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || name == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || !strings.Contains(rel, "/") {
			return nil // files at the module root (this test) are not part of the product
		}
		top := strings.SplitN(rel, "/", 2)[0]
		allowed, known := allowedImports[top]
		if !known {
			problems = append(problems, fmt.Sprintf("%s: top-level folder %q is not in DESIGN.md §2's layout table; add it there and to allowedImports", rel, top))
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, spec := range file.Imports {
			imp, _ := strconv.Unquote(spec.Path.Value)
			if !strings.HasPrefix(imp, modulePath+"/") {
				continue
			}
			target := strings.SplitN(strings.TrimPrefix(imp, modulePath+"/"), "/", 2)[0]
			if target == top || contains(allowed, target) {
				continue
			}
			problems = append(problems, fmt.Sprintf("%s imports %s: %s/ may import only %v of ours (DESIGN.md §2)", rel, imp, top, allowed))
		}
		return nil
	})
	return problems, checked, err
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
