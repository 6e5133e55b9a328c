package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// flakyPoster stores into a fakeStore and fails on request, either before storing (the request never
// arrived) or after (stored, but the answer was lost: the indeterminate case).
type flakyPoster struct {
	store       *fakeStore
	failBefore  bool
	failAfter   bool
	lastRequest []byte
}

func (p *flakyPoster) postUpdate(_ context.Context, id string, update []byte) error {
	p.lastRequest = update
	if p.failBefore {
		return errors.New("connection refused")
	}
	if err := p.store.apply(id, update); err != nil {
		return err
	}
	if p.failAfter {
		return context.DeadlineExceeded
	}
	return nil
}

func TestWriterAcknowledgesAPrefixAndResendsWhatFailed(t *testing.T) {
	store := newFakeStore()
	p := &flakyPoster{store: store}
	w := newWriter("eu-1", "chaos/x/doc-0", 0, p)
	ctx := context.Background()

	w.writeOne(ctx, time.Second)
	if w.acked != 1 || w.ok != 1 {
		t.Fatalf("after one good write: acked %d ok %d", w.acked, w.ok)
	}
	p.failBefore = true
	w.writeOne(ctx, time.Second)
	w.writeOne(ctx, time.Second)
	if w.acked != 1 || w.failed != 2 || len(w.tokens) != 3 {
		t.Fatalf("failed writes must not be acknowledged: acked %d failed %d tokens %d", w.acked, w.failed, len(w.tokens))
	}
	p.failBefore = false
	w.writeOne(ctx, time.Second)
	if w.acked != 4 {
		t.Fatalf("a good write acknowledges everything it carried: acked %d, want 4", w.acked)
	}
	st, err := decodeState(store.state("chaos/x/doc-0"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending {
		t.Fatal("the node has pending structs: a failed write left a gap in the writer's clocks")
	}
	if !slices.Equal(st.Tokens, w.tokens) {
		t.Fatalf("node holds %v, writer wrote %v", st.Tokens, w.tokens)
	}
}

func TestWriterRepeatOfAStoredButUnansweredWriteIsHarmless(t *testing.T) {
	store := newFakeStore()
	p := &flakyPoster{store: store, failAfter: true}
	w := newWriter("us-1", "d", 1, p)
	w.writeOne(context.Background(), time.Second)
	if w.acked != 0 {
		t.Fatal("an unanswered write must not count as acknowledged")
	}
	p.failAfter = false
	w.writeOne(context.Background(), time.Second)
	st, err := decodeState(store.state("d"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"us-1/1/0", "us-1/1/1"}; !slices.Equal(st.Tokens, want) {
		t.Fatalf("node holds %v, want %v once each", st.Tokens, want)
	}
	// After an acknowledgement the next request carries only the new token, not the whole history.
	w.writeOne(context.Background(), time.Second)
	if bytes.Contains(p.lastRequest, []byte("us-1/1/0")) || !bytes.Contains(p.lastRequest, []byte("us-1/1/2")) {
		t.Errorf("request after an ack should carry us-1/1/2 alone, got %q", p.lastRequest)
	}
}

func TestWriterRunStopsWithItsContext(t *testing.T) {
	w := newWriter("ap-1", "d", 0, &flakyPoster{store: newFakeStore()})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan struct{})
	go func() { w.run(ctx, 5*time.Millisecond, time.Second); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	if w.ok < 2 || w.acked != len(w.tokens) {
		t.Fatalf("ok %d, acked %d of %d", w.ok, w.acked, len(w.tokens))
	}
}
