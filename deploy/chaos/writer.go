package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/meridian-sync/meridian/crdt"
)

// poster is how a writer reaches its node; nodeAPI in the test, a fake in unit tests.
type poster interface {
	postUpdate(ctx context.Context, id string, update []byte) error
}

// writer appends unique tokens to one document through one node, as one Yjs client. It never reads the
// document: its crdt.Doc holds only its own tokens, which is all a writer needs to produce valid updates.
//
// Acknowledgement is a prefix: each POST carries every token since the last acknowledged state, so a
// 200 covers tokens[:len at send time]. A failed or timed-out POST leaves its tokens "attempted"; the next
// POST carries them again (a node that did store them ignores the repeat), so the node never sees a gap
// in this client's clocks and nothing stays pending on it.
type writer struct {
	service string // node written through
	docID   string
	docNum  int
	api     poster

	doc     *crdt.Doc
	ackedSV crdt.StateVector // the writer's state vector at its last acknowledgement

	tokens []string // every token attempted, in order
	acked  int      // tokens[:acked] are acknowledged as durable
	ok     int      // acknowledged requests
	failed int      // failed or timed-out requests
	last   error    // the latest failure, for the summary
}

func newWriter(service, docID string, docNum int, api poster) *writer {
	// Random client ids, as Yjs picks them: two runs against the same volumes must not collide.
	return &writer{service: service, docID: docID, docNum: docNum, api: api,
		doc: crdt.NewDoc(crdt.WithClientID(uint64(rand.Uint32()))), ackedSV: crdt.StateVector{}}
}

// writeOne appends one token and sends everything unacknowledged, waiting at most timeout.
func (w *writer) writeOne(ctx context.Context, timeout time.Duration) {
	token := fmt.Sprintf("%s/%d/%d", w.service, w.docNum, len(w.tokens))
	if err := w.doc.GetArray(tokensRoot).Push(token); err != nil {
		// Pushing a string onto our own array cannot fail; if it does, the engine is broken: say so.
		w.failed++
		w.last = fmt.Errorf("local push: %w", err)
		return
	}
	w.tokens = append(w.tokens, token)
	update := w.doc.EncodeStateAsUpdate(w.ackedSV)
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := w.api.postUpdate(rctx, w.docID, update); err != nil {
		w.failed++
		w.last = err
		return
	}
	w.ok++
	w.acked = len(w.tokens)
	w.ackedSV = w.doc.StateVector()
}

// run writes until ctx is done, pausing interval between writes.
func (w *writer) run(ctx context.Context, interval, timeout time.Duration) {
	for ctx.Err() == nil {
		// The request outlives a cancelled run by at most timeout, so the last acknowledgement is not
		// thrown away because the run ended while its answer was on the way.
		w.writeOne(context.WithoutCancel(ctx), timeout)
		select {
		case <-ctx.Done():
		case <-time.After(interval):
		}
	}
}
