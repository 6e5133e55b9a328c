package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/meridian-sync/meridian/client"
	"github.com/meridian-sync/meridian/crdt"
)

// The SDK tools talk to a running server through the Go client: `meridian cat`, `watch` and `put`.

type sdkFlags struct {
	url     string
	token   string
	timeout time.Duration
}

// parseSDKFlags parses the flags every SDK tool shares and returns the positional arguments, of which it wants
// exactly n (usage names them).
func parseSDKFlags(name, usage string, n int, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (sdkFlags, []string, error) {
	var f sdkFlags
	fs := flag.NewFlagSet("meridian "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: meridian %s [flags] %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.url, "url", envOr("MERIDIAN_URL", "ws://localhost:8080/ws"), "the server's WebSocket endpoint, or several comma separated (regions: the fastest is used, the others on failure) (env MERIDIAN_URL)")
	fs.StringVar(&f.token, "token", "", "JWT to connect with (prefer the MERIDIAN_TOKEN variable: flags show in ps)")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "give up connecting (and, for put, saving) after this long")
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, nil, err
		}
		return f, nil, errUsage
	}
	if f.token == "" {
		f.token = os.Getenv("MERIDIAN_TOKEN")
	}
	if fs.NArg() != n {
		fs.Usage()
		return f, nil, errUsage
	}
	return f, fs.Args(), nil
}

func envOr(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}

func (f sdkFlags) dial(ctx context.Context, docID string) (*client.Client, error) {
	var opts []client.Option
	if f.token != "" {
		opts = append(opts, client.WithToken(f.token))
	}
	dialCtx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	urls := strings.Split(f.url, ",")
	opts = append(opts, client.WithEndpoints(urls[1:]...))
	c, err := client.Dial(ctx, urls[0], docID, append(opts, client.WithoutWait())...)
	if err != nil {
		return nil, err
	}
	if err := c.WaitSynced(dialCtx); err != nil {
		c.Close()
		if errors.Is(err, client.ErrUnauthorized) && f.token == "" {
			return nil, fmt.Errorf("connecting to %s: the server wants a token: set MERIDIAN_TOKEN (or --token): %w", f.url, err)
		}
		return nil, fmt.Errorf("connecting to %s: %w", f.url, err)
	}
	return c, nil
}

// runCat is `meridian cat DOC`: the document as JSON.
func runCat(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	f, pos, err := parseSDKFlags("cat", "DOC", 1, args, stderr, nil)
	if err != nil {
		return err
	}
	c, err := f.dial(context.Background(), pos[0])
	if err != nil {
		return err
	}
	defer c.Close()
	var out []byte
	c.Read(func(doc *crdt.Doc) { out, err = json.MarshalIndent(doc.ToJSON(), "", "  ") })
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

// runWatch is `meridian watch DOC`: one JSON line per changed root, {"root":NAME,"value":...}, first for every
// root, then as changes arrive, until interrupted.
func runWatch(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	f, pos, err := parseSDKFlags("watch", "DOC", 1, args, stderr, nil)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return watchDoc(ctx, f, pos[0], stdout, stderr)
}

// watchDoc prints docID's roots, then their changes, until ctx ends (then it returns nil).
func watchDoc(ctx context.Context, f sdkFlags, docID string, stdout, stderr io.Writer) error {
	c, err := f.dial(ctx, docID)
	if err != nil {
		return err
	}
	defer c.Close()
	lines := make(chan []byte, 256)
	last := map[string]string{}
	report := func(doc *crdt.Doc) {
		for name, value := range doc.ToJSON() {
			b, err := json.Marshal(value)
			if err != nil || last[name] == string(b) {
				continue
			}
			last[name] = string(b)
			line, _ := json.Marshal(map[string]any{"root": name, "value": json.RawMessage(b)})
			select {
			case lines <- line:
			default: // a stalled stdout: drop the line; the next change reprints the root in full
				delete(last, name)
			}
		}
	}
	c.Read(report)
	c.OnChange(func(ch client.Change) { report(ch.Doc) })
	c.OnStatus(func(s client.Status) {
		if s.State == client.StateOffline {
			fmt.Fprintf(stderr, "offline (%v), retrying in %v\n", s.Err, s.RetryIn)
		}
	})
	for {
		select {
		case line := <-lines:
			if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
				return err
			}
		case <-ctx.Done():
			return nil
		}
	}
}

// runPut is `meridian put DOC FILE`: the text root becomes the file's content, as a minimal edit; it returns
// once the server has stored it durably.
func runPut(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var root string
	f, pos, err := parseSDKFlags("put", "DOC FILE   (FILE - reads stdin)", 2, args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&root, "root", "text", "the text root to replace (the web editor's is \"text\")")
	})
	if err != nil {
		return err
	}
	var content []byte
	if pos[1] == "-" {
		content, err = io.ReadAll(stdin)
	} else {
		content, err = os.ReadFile(pos[1])
	}
	if err != nil {
		return err
	}
	c, err := f.dial(context.Background(), pos[0])
	if err != nil {
		return err
	}
	defer c.Close()
	var editErr error
	err = c.Edit(func(doc *crdt.Doc) {
		if kind := doc.RootKind(root); kind != "" && kind != "text" {
			editErr = fmt.Errorf("root %q of %s is a %s, not a text", root, pos[0], kind)
			return
		}
		editErr = client.ReplaceText(doc.GetText(root), string(content))
	})
	if err = errors.Join(err, editErr); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), f.timeout)
	defer cancel()
	if err := c.WaitSaved(ctx); err != nil {
		return fmt.Errorf("saving: %w", err)
	}
	st := c.Status()
	_, err = fmt.Fprintf(stdout, "saved %s (%d bytes) on %s/%s\n", pos[0], len(content), st.Region, st.Node)
	return err
}
