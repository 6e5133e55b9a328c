package server

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/meridian-sync/meridian/server/store"
)

// What the server does when its disk is full or failing (the store's side is in store/health.go):
//
//   - an update that would change a document is refused before it is applied: a WebSocket writer is
//     closed with 4507 "storage full" (y-websocket reconnects with backoff: transient), an HTTP write gets
//     507 with a sentence, a peer's update is left for replication to retry; an update that changes
//     nothing (the empty step 2 every client sends at connect) still passes, so readers keep connecting;
//   - nothing is broadcast or acknowledged before it is stored, as always; a write the store refused after
//     the room applied it (the batch that found the disk full) makes the room reload the document from the
//     store rather than unload, and only the connections whose work was queued behind it are closed;
//   - /readyz answers 503 with the reason; reads and existing connections keep working;
//   - meridian_storage_state says which state the store is in, meridian_refusals_total{reason=
//     "storage_full"} counts refused writes, and the store logs one line per state change.
//
// A failed store (a write Pebble could not survive) refuses writes with 4500 / 503 until restarted.

var (
	refuseStorageFull   = refusal{CloseStorageFull, "storage_full", "storage full"}
	refuseStorageFailed = refusal{CloseInternal, "storage_failed", "storage failed, retry later"}
)

// storageFullMessage is the 507 body's sentence.
const storageFullMessage = "the server's storage is full: the update was not stored; retry once space is freed"

// storageRefusal is why the store cannot take writes now; nil when it can.
func (s *Server) storageRefusal() *refusal { return refusalFor(s.store.Refusing()) }

// refusalFor maps a store error to the refusal a client gets; nil for other errors.
func refusalFor(err error) *refusal {
	switch {
	case errors.Is(err, store.ErrFull):
		return &refuseStorageFull
	case errors.Is(err, store.ErrFailed):
		return &refuseStorageFailed
	}
	return nil
}

// refusalError is what an HTTP or peer write refused at ingest completes with.
func refusalError(ref *refusal) error {
	switch ref {
	case &refuseStorageFull:
		return fmt.Errorf("%w: %s", store.ErrFull, ref.reason)
	case &refuseStorageFailed:
		return fmt.Errorf("%w: %s", store.ErrFailed, ref.reason)
	}
	return fmt.Errorf("%w: %s", errRefused, ref.reason)
}

// refuseUnstored closes a connection whose write (or answer queued behind one) the store refused for want
// of space. Other storage errors unload the room, which closes every connection already.
func refuseUnstored(s *session, err error) {
	if errors.Is(err, store.ErrFull) {
		s.refuse(refuseStorageFull)
	}
}

// dropUnstored handles a write the store refused as full after the room applied it: the document in memory
// is ahead of the disk. Everything queued behind that write was computed from it, so it fails too (writers
// are closed with 4507, HTTP callers get 507, nothing is broadcast), and the room reloads the document from
// the store. Its other connections stay, and their clients never saw the refused update.
func (r *room) dropUnstored(err error) {
	pending := r.queue.items
	r.queue.items = nil
	for _, a := range pending {
		a.run(err)
	}
	if loadErr := r.load(); loadErr != nil {
		r.fail(loadErr)
	}
}

// storageNotReady is /readyz's reason while the store refuses writes.
func (s *Server) storageNotReady() (string, bool) {
	h := s.store.Health()
	if h.State == store.StateOK {
		return "", false
	}
	return fmt.Sprintf("not ready: storage %s: %s", h.State, h.Reason), true
}

// writeStorageError answers an HTTP write the store refused; false for other errors.
func writeStorageError(w http.ResponseWriter, err error) bool {
	switch {
	case errors.Is(err, store.ErrFull):
		writeError(w, http.StatusInsufficientStorage, storageFullMessage)
	case errors.Is(err, store.ErrFailed):
		writeError(w, http.StatusServiceUnavailable, "the server's storage failed: the update was not stored; retry later")
	default:
		return false
	}
	return true
}

// storageHealthChanged is the store's OnHealth: the state gauge (the store logs the change).
func (s *Server) storageHealthChanged(h store.Health) {
	for _, st := range []store.State{store.StateOK, store.StateFull, store.StateFailed} {
		v := 0.0
		if st == h.State {
			v = 1
		}
		s.metrics.storageState.WithLabelValues(st.String()).Set(v)
	}
}

func (c *Config) tweakStore(o store.Options) store.Options {
	if c.storeOptions != nil {
		c.storeOptions(&o)
	}
	return o
}
