package server

import (
	"errors"
	"time"

	"github.com/meridian-sync/meridian/crdt"
	"github.com/meridian-sync/meridian/server/internal/uring"
	"github.com/meridian-sync/meridian/server/protocol"
	"github.com/meridian-sync/meridian/server/store"
)

type roomEventKind int

const (
	evJoin roomEventKind = iota
	evLeave
	evFrame
	evCall
	evShutdown
)

type roomEvent struct {
	kind roomEventKind
	s    *session
	msg  *protocol.Message // a pointer keeps the event, and so each room's inbox buffer, small
	fn   func(r *room)     // evCall: runs on the room goroutine
	at   time.Time         // evFrame: when the session read it (a client write's latency counts from here)
}

// member is the room's view of one connection.
type member struct {
	clients map[uint64]bool // awareness client ids this connection introduced; nil until it introduces one
	updates uint64          // sync step 2 / update messages received, for the ack extension
}

// room holds one loaded document and its connections. Everything below "owned by run" is touched only by the
// room's goroutine, which is what serialises access to the (not goroutine-safe) crdt.Doc.
type room struct {
	id      string
	hub     *hub
	srv     *Server
	inbox   chan roomEvent
	loaded  chan struct{} // closed once the document is loaded (or failed to)
	loadErr error
	done    chan struct{} // closed when run returns

	refs, connRefs int // guarded by hub.mu

	// owned by run
	doc        *crdt.Doc
	captured   [][]byte // updates the doc emitted during the current ApplyUpdate
	awareness  *protocol.Awareness
	members    map[*session]*member
	queue      durableQueue
	corked     []*session // members sent frames since the last uncork (session_direct.go)
	direct     []directWrite
	sends      []uring.Send
	docBytes   int         // estimate of the stored size; recomputed exactly when near the limit
	pending    roomPending // this document's share of the pending budgets (pending_budget.go)
	broken     bool
	draining   bool
	lastActive time.Time
	arrived    time.Time // while a client's frame is handled: when its session read it
}

func newRoom(h *hub, id string) *room {
	r := &room{id: id, hub: h, srv: h.srv, inbox: make(chan roomEvent, 64), loaded: make(chan struct{}),
		done: make(chan struct{}), members: map[*session]*member{},
		awareness: newAwareness(h.srv.cfg.Limits)}
	r.queue.fail = r.fail
	return r
}

// post hands an event to the room, unless it has already exited.
func (r *room) post(ev roomEvent) bool {
	select {
	case r.inbox <- ev:
		return true
	case <-r.done:
		return false
	}
}

// call runs fn on the room goroutine and waits for it.
func (r *room) call(fn func(r *room)) bool {
	finished := make(chan struct{})
	if !r.post(roomEvent{kind: evCall, fn: func(r *room) { fn(r); close(finished) }}) {
		return false
	}
	select {
	case <-finished:
		return true
	case <-r.done:
		return false
	}
}

func (r *room) load() error {
	r.hub.awaitDirect(r.id) // a peer update being stored without a room is part of what loads
	d, err := r.srv.store.Load(r.id)
	if err != nil {
		return err
	}
	r.doc = crdt.NewDoc()
	for _, u := range append([][]byte{d.Snapshot}, d.Updates...) {
		if u == nil {
			continue
		}
		if err := r.doc.ApplyUpdate(u); err != nil {
			return errors.Join(errCorruptDocument, err)
		}
	}
	r.docBytes = int(d.Info.Bytes())
	r.doc.OnUpdate(func(u []byte, _ any) { r.captured = append(r.captured, u) })
	return nil
}

var errCorruptDocument = errors.New("meridian: stored document does not decode")

func (r *room) run() {
	defer close(r.done)
	r.loadErr = r.load()
	close(r.loaded)
	if r.loadErr != nil {
		r.hub.detach(r)
		if !errors.Is(r.loadErr, store.ErrDeleted) {
			r.srv.log.Error("document load failed", "doc", r.id, "err", r.loadErr)
		}
		return
	}
	r.srv.metrics.documents.Inc()
	defer r.srv.metrics.documents.Dec()
	r.settlePending("") // what the stored log left pending
	defer r.releasePending()
	r.lastActive = time.Now()
	ticker := time.NewTicker(time.Second)
	defer ticker.Stop()
	for {
		select {
		case ev := <-r.inbox:
			r.lastActive = time.Now()
			r.handle(ev)
		case <-r.queue.headDone():
		case now := <-ticker.C:
			r.tick(now)
		}
		r.queue.flush()
		r.uncork()
		if r.finished() && r.hub.tryRetire(r) {
			return
		}
	}
}

// finished reports whether the room has nothing left to do and may unload.
func (r *room) finished() bool {
	if len(r.members) > 0 || r.queue.len() > 0 {
		return false
	}
	if r.draining && len(r.members) == 0 {
		return true
	}
	return r.broken || time.Since(r.lastActive) >= r.srv.cfg.Limits.IdleUnload
}

func (r *room) handle(ev roomEvent) {
	switch ev.kind {
	case evJoin:
		r.join(ev.s)
	case evLeave:
		r.leave(ev.s)
	case evFrame:
		if m := r.members[ev.s]; m != nil && !r.broken {
			r.arrived = ev.at
			r.frame(ev.s, m, *ev.msg)
			r.arrived = time.Time{}
		}
	case evCall:
		ev.fn(r)
	case evShutdown:
		r.draining = true
		r.queue.push(nil, func(error) {
			for s := range r.members {
				s.close(CloseGoingAway, "server shutting down")
			}
		})
	}
}

func (r *room) tick(now time.Time) {
	if removed := r.awareness.Expire(now); len(removed) > 0 {
		r.broadcast(protocol.EncodeAwarenessMessage(protocol.EncodeAwarenessUpdate(removed)))
	}
}

func (r *room) join(s *session) {
	if r.broken || r.draining {
		s.close(CloseGoingAway, "document unavailable, retry")
		return
	}
	r.members[s] = &member{}
	if s.ext.Hello {
		r.send(s, protocol.EncodeHello(protocol.Hello{Region: r.srv.cfg.Region, Node: r.srv.cfg.Node}))
	}
	r.send(s, protocol.EncodeSyncStep1(r.doc.EncodeStateVector()))
	if r.awareness.Len() > 0 {
		r.sendAwarenessSnapshot(s)
	}
}

func (r *room) leave(s *session) {
	m := r.members[s]
	if m == nil {
		return
	}
	delete(r.members, s)
	ids := make([]uint64, 0, len(m.clients))
	for id := range m.clients {
		ids = append(ids, id)
	}
	if removed := r.awareness.Remove(ids); len(removed) > 0 {
		r.broadcast(protocol.EncodeAwarenessMessage(protocol.EncodeAwarenessUpdate(removed)))
	}
}

// broadcast sends a frame to every member, the sender included, as y-websocket's own server does: clients
// and tests take the echo as the sign that the server holds their update.
func (r *room) broadcast(frame []byte) {
	for s := range r.members {
		r.send(s, frame)
	}
}

// send queues a frame for s; the room writes what it queued for each member at once when the event it is
// handling is done (uncork), in one system call per member.
func (r *room) send(s *session, frame []byte) {
	if s.queueCorked(frame) {
		r.corked = append(r.corked, s)
	}
}

// uncork writes out what the room queued for its members while handling the last event, all members in one
// batch (session_direct.go).
func (r *room) uncork() {
	if len(r.corked) == 0 {
		return
	}
	batch := r.direct[:0]
	for i, s := range r.corked {
		if w, ok := s.takeCorked(); ok {
			batch = append(batch, w)
		}
		r.corked[i] = nil
	}
	r.corked = r.corked[:0]
	r.sends = r.srv.direct.write(batch, r.sends)
	for i := range batch {
		batch[i].s.finishDirect(&batch[i])
		batch[i] = directWrite{}
	}
	r.direct = batch[:0]
}

// fail handles a storage error: what is in memory may now be ahead of the disk, so the room stops serving,
// closes its connections (they reconnect and re-sync against a freshly loaded copy) and unloads.
func (r *room) fail(err error) {
	if r.broken {
		return
	}
	if errors.Is(err, store.ErrFull) {
		r.dropUnstored(err) // the room keeps serving (storage_health.go)
		return
	}
	r.broken = true
	r.hub.detach(r)
	if !errors.Is(err, store.ErrDeleted) {
		r.srv.log.Error("storage failure, unloading document", "doc", r.id, "err", err)
	}
	code, reason, metric := CloseInternal, "storage failure, retry", "storage_error"
	if errors.Is(err, store.ErrDeleted) {
		code, reason, metric = CloseDeleted, "document deleted", "deleted"
	}
	for s := range r.members {
		r.srv.metrics.refusals.WithLabelValues(metric).Inc()
		s.close(code, reason)
	}
}
