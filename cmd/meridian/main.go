// Command meridian is the single Meridian binary: the server and the tools around it.
//
//	meridian serve [flags]      run a node (see `meridian serve -h`)
//	meridian token [flags]      mint a JWT from the configured secret
//	meridian doc <tool> FILE... look inside stored Yjs updates offline
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// version is set at release build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run a Meridian node: WebSockets, HTTP API, storage", runServe},
		{"token", "mint a JWT for clients from the configured secret", runToken},
		{"keys", "token signing keys (gen, jwks, pem) and the cluster keyring (cluster list/install/use/remove)", runKeys},
		{"doc", "inspect Yjs updates offline: json, state, merge, sv, dump", runDoc},
		{"cat", "print a document from a server as JSON", runCat},
		{"watch", "print a document's changes as they happen", runWatch},
		{"put", "replace a document's text with a file's content", runPut},
		{"healthcheck", "exit 0 if a node's /readyz says ready (for container health checks)", runHealthcheck},
		{"version", "print the version", func(_ []string, _ io.Reader, stdout, _ io.Writer) error {
			_, err := fmt.Fprintln(stdout, "meridian", version)
			return err
		}},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code, so tests drive the CLI in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(args[1:], stdin, stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			default:
				fmt.Fprintf(stderr, "meridian %s: %v\n", c.name, err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "meridian: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errUsage marks an error whose message (usage text) was already printed.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "Meridian: a geo-replicated Yjs document sync server.")
	fmt.Fprintln(w, "\nUsage: meridian <command> [arguments]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `meridian <command> -h` for a command's flags.")
}
