package client_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/meridian-sync/meridian/client"
	"github.com/meridian-sync/meridian/crdt"
)

// The examples talk to a server TestMain starts; in your program serverURL is your Meridian endpoint and the
// token comes from your auth service.
var (
	serverURL string
	userToken string
)

func startExampleServer() (stop func()) {
	s := &server{t: nil, dir: "", logs: &syncBuffer{}}
	dir, err := os.MkdirTemp("", "meridian-example-")
	if err != nil {
		panic(err)
	}
	s.dir = dir
	l, _ := freeListener()
	s.addr = l
	if err := s.start(); err != nil {
		panic(err)
	}
	serverURL = s.url()
	userToken = token(panicTB{}, "write", time.Hour, "*")
	return func() { s.stop(); os.RemoveAll(dir) }
}

func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Dial returns once the document is in sync with the server.
	c, err := client.Dial(ctx, serverURL, "example/notes", client.WithToken(userToken))
	if err != nil {
		fmt.Println("dial:", err)
		return
	}
	defer c.Close()

	// Edit through the crdt types; one Edit is one transaction, sent to everyone in the document.
	err = c.Edit(func(doc *crdt.Doc) {
		_ = doc.GetText("body").Insert(0, "Hello, Meridian", nil)
		_ = doc.GetMap("meta").Set("title", "Greeting")
	})
	if err != nil {
		fmt.Println("edit:", err)
		return
	}

	// "Saved" means the server acknowledged every edit as durably stored.
	if err := c.WaitSaved(ctx); err != nil {
		fmt.Println("save:", err)
		return
	}
	st := c.Status()
	fmt.Println(st.State, st.Pending, st.Region)
	c.Read(func(doc *crdt.Doc) { fmt.Println(doc.GetText("body").String()) })
	// Output:
	// saved 0 test-region
	// Hello, Meridian
}

func ExampleClient_OnChange() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	watcher, err := client.Dial(ctx, serverURL, "example/watched", client.WithToken(userToken))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer watcher.Close()
	seen := make(chan string, 1)
	watcher.OnChange(func(ch client.Change) {
		if ch.Remote { // a change made by someone else
			seen <- ch.Doc.GetText("t").String()
		}
	})

	writer, err := client.Dial(ctx, serverURL, "example/watched", client.WithToken(userToken))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer writer.Close()
	_ = writer.Edit(func(doc *crdt.Doc) { _ = doc.GetText("t").Insert(0, "from the writer", nil) })
	fmt.Println(<-seen)
	// Output: from the writer
}

func ExampleAwareness() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	alice, err := client.Dial(ctx, serverURL, "example/presence", client.WithToken(userToken))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer alice.Close()
	bob, err := client.Dial(ctx, serverURL, "example/presence", client.WithToken(userToken))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bob.Close()

	joined := make(chan struct{}, 1)
	bob.Awareness().OnChange(func(ch client.AwarenessChange) {
		if len(ch.Added) > 0 && !ch.Local {
			joined <- struct{}{}
		}
	})
	_ = alice.Awareness().SetLocalState(map[string]any{"name": "Alice", "cursor": 3})
	<-joined
	fmt.Println(string(bob.Awareness().States()[alice.Awareness().ClientID()]))
	// Output: {"cursor":3,"name":"Alice"}
}

func ExampleWithTokenSource() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The source is asked again before each connection and before the token expires.
	fetch := func(ctx context.Context) (string, error) { return userToken, nil }
	c, err := client.Dial(ctx, serverURL, "example/tokens", client.WithTokenSource(fetch))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	fmt.Println(c.Status().State)
	// Output: saved
}
