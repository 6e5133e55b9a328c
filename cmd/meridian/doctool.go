package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/meridian-sync/meridian/crdt"
)

const docUsage = `Usage: meridian doc <tool> [--v2] [--root NAME=KIND]... FILE...

Offline tools for the Yjs updates Meridian stores. Each FILE holds one update; "-" reads one from stdin.
Updates are applied in the order given.

Tools:
  json   print the document as JSON, each root as Yjs's toJSON gives it
  state  write the document's full state (encodeStateAsUpdate, v1) to stdout
  merge  merge the updates without building a document (mergeUpdates), v1 to stdout
  sv     print the document's state vector as JSON {"client": clock}
  dump   print the structs and delete set of one update, readable

Flags:
  --v2              the files hold v2 updates (output stays v1)
  --root NAME=KIND  treat root NAME as KIND (text, map, array or xml) instead of inferring it from its content
`

func runDoc(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, docUsage)
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}
	tool := args[0]
	fs := flag.NewFlagSet("meridian doc "+tool, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, docUsage) }
	v2 := fs.Bool("v2", false, "the files hold v2 updates")
	roots := rootFlags{}
	fs.Var(&roots, "root", "NAME=KIND: treat root NAME as KIND (text, map, array, xml)")
	if err := fs.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	files := fs.Args()
	if len(files) == 0 {
		fmt.Fprintf(stderr, "meridian doc %s: name at least one FILE (or - for stdin)\n", tool)
		return errUsage
	}
	updates, err := readUpdates(files, stdin)
	if err != nil {
		return err
	}
	switch tool {
	case "json":
		doc, err := buildDoc(updates, files, *v2, stderr)
		if err != nil {
			return err
		}
		for name, kind := range roots {
			defineRoot(doc, name, kind)
		}
		return writeJSON(stdout, doc.ToJSON())
	case "state":
		doc, err := buildDoc(updates, files, *v2, stderr)
		if err != nil {
			return err
		}
		_, err = stdout.Write(doc.EncodeStateAsUpdate(nil))
		return err
	case "sv":
		doc, err := buildDoc(updates, files, *v2, stderr)
		if err != nil {
			return err
		}
		sv := map[string]uint64{}
		for client, clock := range doc.StateVector() {
			sv[strconv.FormatUint(client, 10)] = clock
		}
		return writeJSON(stdout, sv)
	case "merge":
		merged, err := mergeFiles(updates, files, *v2)
		if err != nil {
			return err
		}
		_, err = stdout.Write(merged)
		return err
	case "dump":
		if len(updates) != 1 {
			return fmt.Errorf("dump reads exactly one FILE, got %d", len(updates))
		}
		text, err := crdt.DescribeUpdate(updates[0], *v2)
		if err != nil {
			return fmt.Errorf("%s: %w%s", files[0], err, formatHint(*v2))
		}
		_, err = io.WriteString(stdout, text)
		return err
	default:
		fmt.Fprintf(stderr, "meridian doc: unknown tool %q\n\n%s", tool, docUsage)
		return errUsage
	}
}

func readUpdates(files []string, stdin io.Reader) ([][]byte, error) {
	updates := make([][]byte, len(files))
	usedStdin := false
	for i, name := range files {
		var err error
		if name == "-" {
			if usedStdin {
				return nil, fmt.Errorf(`"-" (stdin) can be named only once`)
			}
			usedStdin = true
			updates[i], err = io.ReadAll(stdin)
		} else {
			updates[i], err = os.ReadFile(name)
		}
		if err != nil {
			return nil, err
		}
	}
	return updates, nil
}

func buildDoc(updates [][]byte, files []string, v2 bool, stderr io.Writer) (*crdt.Doc, error) {
	doc := crdt.NewDoc(crdt.WithGC(false))
	for i, u := range updates {
		var err error
		if v2 {
			err = doc.ApplyUpdateV2(u)
		} else {
			err = doc.ApplyUpdate(u)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w%s", files[i], err, formatHint(v2))
		}
	}
	if doc.HasPending() {
		fmt.Fprintln(stderr, "meridian doc: warning: some updates depend on updates that were not given; their content is left out")
	}
	return doc, nil
}

func mergeFiles(updates [][]byte, files []string, v2 bool) ([]byte, error) {
	if !v2 {
		merged, err := crdt.MergeUpdates(updates)
		if err != nil {
			return nil, fmt.Errorf("merging %s: %w%s", strings.Join(files, ", "), err, formatHint(v2))
		}
		return merged, nil
	}
	merged, err := crdt.MergeUpdatesV2(updates)
	if err != nil {
		return nil, fmt.Errorf("merging %s: %w%s", strings.Join(files, ", "), err, formatHint(v2))
	}
	return crdt.ConvertUpdateV2ToV1(merged)
}

func formatHint(v2 bool) string {
	if v2 {
		return " (read as a v2 update; drop --v2 for v1)"
	}
	return " (read as a v1 update; add --v2 for v2)"
}

func defineRoot(doc *crdt.Doc, name, kind string) {
	switch kind {
	case "text":
		doc.GetText(name)
	case "map":
		doc.GetMap(name)
	case "array":
		doc.GetArray(name)
	case "xml":
		doc.GetXmlFragment(name)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// rootFlags collects --root NAME=KIND, rejecting unknown kinds when parsed.
type rootFlags map[string]string

func (r rootFlags) String() string {
	parts := make([]string, 0, len(r))
	for name, kind := range r {
		parts = append(parts, name+"="+kind)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func (r rootFlags) Set(v string) error {
	name, kind, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("want NAME=KIND, e.g. --root content=text, got %q", v)
	}
	switch kind {
	case "text", "map", "array", "xml":
	default:
		return fmt.Errorf("root %q: kind %q is not one of text, map, array, xml", name, kind)
	}
	r[name] = kind
	return nil
}
