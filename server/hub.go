package server

import (
	"context"
	"errors"
	"sync"
)

// errShuttingDown refuses new work while the server drains.
var errShuttingDown = errors.New("meridian: server shutting down")

// errDocFull is returned when a document already has its maximum of connections.
var errDocFull = errors.New("meridian: document connection limit reached")

// hub owns the loaded documents. This is the seam where a document-to-node mapping (sharding) would go.
//
// Lifecycle invariant: a room leaves rooms only under mu, and only when its refs is zero; acquire takes a
// ref under the same mu. So a holder of a ref always talks to a live room, and a room never exits with a
// connection still attached.
type hub struct {
	srv *Server
	mu  struct {
		sync.Mutex
		rooms    map[string]*room
		direct   map[string]chan struct{} // documents a peer update is being applied to without a room
		closing  bool
		allRooms sync.WaitGroup
	}
}

func newHub(srv *Server) *hub {
	h := &hub{srv: srv}
	h.mu.rooms = map[string]*room{}
	h.mu.direct = map[string]chan struct{}{}
	return h
}

// acquire returns the loaded room of docID, loading it first if needed, and takes a ref that must be given
// back with release. Callers block until the load finishes: a loading document is never served empty.
// asConnection counts the ref against the per-document connection limit.
func (h *hub) acquire(ctx context.Context, docID string, asConnection bool) (*room, error) {
	h.mu.Lock()
	if h.mu.closing {
		h.mu.Unlock()
		return nil, errShuttingDown
	}
	r := h.mu.rooms[docID]
	if r == nil {
		r = newRoom(h, docID)
		h.mu.rooms[docID] = r
		h.mu.allRooms.Add(1)
		go func() {
			defer h.mu.allRooms.Done()
			r.run()
		}()
	}
	if asConnection && r.connRefs >= h.srv.cfg.Limits.MaxConnectionsPerDoc {
		h.mu.Unlock()
		return nil, errDocFull
	}
	r.refs++
	if asConnection {
		r.connRefs++
	}
	h.mu.Unlock()
	select {
	case <-r.loaded:
	case <-ctx.Done():
		h.release(r, asConnection)
		return nil, ctx.Err()
	}
	if r.loadErr != nil {
		h.release(r, asConnection)
		return nil, r.loadErr
	}
	return r, nil
}

func (h *hub) release(r *room, asConnection bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r.refs--
	if asConnection {
		r.connRefs--
	}
}

// tryRetire removes r if nothing holds it; the room's goroutine exits when this returns true.
func (h *hub) tryRetire(r *room) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.refs > 0 {
		return false
	}
	h.forget(r)
	return true
}

// forget drops r from the map (if it is still the room of its id), so the next acquire loads afresh.
// Caller holds mu.
func (h *hub) forget(r *room) {
	if h.mu.rooms[r.id] == r {
		delete(h.mu.rooms, r.id)
	}
}

func (h *hub) detach(r *room) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.forget(r)
}

// shutdown refuses new rooms and connections, asks every room to drain (finish durable writes, then close its
// connections), and waits until all rooms have exited or ctx ends.
func (h *hub) shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.mu.closing = true
	rooms := make([]*room, 0, len(h.mu.rooms))
	for _, r := range h.mu.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		r.post(roomEvent{kind: evShutdown})
	}
	done := make(chan struct{})
	go func() {
		h.mu.allRooms.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// evict closes every connection of a loaded document with CloseDeleted and unloads it (DELETE /v1/docs).
func (h *hub) evict(ctx context.Context, docID string) {
	h.mu.Lock()
	r := h.mu.rooms[docID]
	if r != nil {
		h.forget(r)
	}
	h.mu.Unlock()
	if r == nil {
		return
	}
	select {
	case <-r.loaded:
	case <-ctx.Done():
		return
	}
	r.call(func(r *room) {
		r.broken = true
		for s := range r.members {
			r.srv.metrics.refusals.WithLabelValues("deleted").Inc()
			s.close(CloseDeleted, "document deleted")
		}
	})
}

// beginDirect claims docID for a peer update applied straight to the store (replicate_in.go) when no room
// holds the document; otherwise it returns the room, with a ref to give back with release. A room that
// loads the document meanwhile waits for the claim to end (awaitDirect), so it never misses the update.
func (h *hub) beginDirect(docID string) (*room, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.mu.closing {
		return nil, false
	}
	if r := h.mu.rooms[docID]; r != nil {
		r.refs++
		return r, false
	}
	h.mu.direct[docID] = make(chan struct{})
	return nil, true
}

func (h *hub) endDirect(docID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if done := h.mu.direct[docID]; done != nil {
		close(done)
		delete(h.mu.direct, docID)
	}
}

// awaitDirect waits until no direct apply holds docID.
func (h *hub) awaitDirect(docID string) {
	h.mu.Lock()
	done := h.mu.direct[docID]
	h.mu.Unlock()
	if done != nil {
		<-done
	}
}
