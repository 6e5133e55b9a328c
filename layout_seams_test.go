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

// seamRules are the import rules DESIGN.md §1 states beyond the folder table: the server talks to replication
// through one facade, the store knows nothing of replication, and the models (the engine, the replication
// core, its tree and wire format) do no I/O and read no clock. Test files are exempt (a server test may play a
// foreign peer with package transport); tools beside the engine (crdt/bench, crdt/conformance) too.
var seamRules = []struct {
	dir       string   // files in this folder and below
	except    []string // sub-folders the rule skips
	forbidden func(imp string) bool
	why       string
}{
	{dir: "server", forbidden: func(imp string) bool { return strings.HasPrefix(imp, modulePath+"/replication/") },
		why: "the server imports only the replication facade (package replication)"},
	{dir: "server/store", forbidden: func(imp string) bool {
		return imp == modulePath+"/replication" || strings.HasPrefix(imp, modulePath+"/replication/")
	}, why: "the store does not import replication"},
	{dir: "crdt", except: []string{"crdt/bench", "crdt/conformance"}, forbidden: ioOrClock, why: "the engine is pure"},
	{dir: "replication/core", forbidden: ioOrClock, why: "the replication core is a pure state machine"},
	{dir: "replication/tree", forbidden: ioOrClock, why: "the hash tree is pure"},
	{dir: "replication/wire", forbidden: ioOrClock, why: "the wire codec is pure"},
}

func ioOrClock(imp string) bool {
	for _, p := range []string{"os", "net", "time", "log"} {
		if imp == p || strings.HasPrefix(imp, p+"/") {
			return true
		}
	}
	return false
}

func TestSeamImports(t *testing.T) {
	problems, err := seamViolations(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestSeamImportsCatchViolations proves each kind of rule fails on a violation.
func TestSeamImportsCatchViolations(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		t.Helper()
		path := filepath.Join(root, rel)
		if err := mkdirAll(filepath.Dir(path)); err != nil {
			t.Fatal(err)
		}
		if err := writeFile(path, src); err != nil {
			t.Fatal(err)
		}
	}
	write("server/x.go", `package server; import _ "`+modulePath+`/replication/core"`)
	write("server/ok.go", `package server; import _ "`+modulePath+`/replication"`)
	write("server/x_test.go", `package server; import _ "`+modulePath+`/replication/transport"`)
	write("server/store/x.go", `package store; import _ "`+modulePath+`/replication"`)
	write("replication/core/x.go", `package core; import _ "time"`)
	write("crdt/x.go", `package crdt; import _ "os"`)
	write("crdt/bench/x.go", `package main; import _ "os"`)
	problems, err := seamViolations(root)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(problems, "\n")
	for _, want := range []string{"server/x.go", "server/store/x.go", "replication/core/x.go", "crdt/x.go"} {
		if !strings.Contains(joined, want+" imports") {
			t.Errorf("%s's violation not reported in:\n%s", want, joined)
		}
	}
	if len(problems) != 4 {
		t.Errorf("want exactly 4 violations, got:\n%s", joined)
	}
}

func seamViolations(root string) ([]string, error) {
	var problems []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if name := d.Name(); rel != "." && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, rule := range seamRules {
			if !under(rel, rule.dir) || anyUnder(rel, rule.except) {
				continue
			}
			for _, spec := range file.Imports {
				imp, _ := strconv.Unquote(spec.Path.Value)
				if rule.forbidden(imp) {
					problems = append(problems, fmt.Sprintf("%s imports %s: %s", rel, imp, rule.why))
				}
			}
		}
		return nil
	})
	return problems, err
}

func under(rel, dir string) bool { return strings.HasPrefix(rel, dir+"/") }

func anyUnder(rel string, dirs []string) bool {
	for _, d := range dirs {
		if under(rel, d) {
			return true
		}
	}
	return false
}

func mkdirAll(dir string) error        { return os.MkdirAll(dir, 0o755) }
func writeFile(path, src string) error { return os.WriteFile(path, []byte(src), 0o644) }
