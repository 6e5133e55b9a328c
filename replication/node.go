package replication

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meridian-sync/meridian/replication/core"
	"github.com/meridian-sync/meridian/replication/membership"
	"github.com/meridian-sync/meridian/replication/transport"
	"github.com/meridian-sync/meridian/replication/wire"
)

// Node is a running replication node: the pure core plus its I/O (peer streams, durable records,
// membership, the document store). Its methods are safe for concurrent use.
type Node struct {
	cfg      Config
	store    Documents
	log      *slog.Logger
	listener net.Listener

	// mu guards the core; only the Run goroutine and Status take it. Client writes never do: they read
	// readyNow and deleted, and hand their writes over through intake.
	mu struct {
		sync.Mutex
		core    *core.Node
		members []membership.Member
	}
	readyNow atomic.Bool
	deleted  sync.Map // doc → struct{}: tombstones, mirrored from the core for IsDeleted
	intake   intake
	budget   *budget
	wake     chan struct{}
	inbound  chan wire.Message
	// The Ready worker (ready_worker.go): one Ready in flight at a time, performed off the Run
	// goroutine so stepping, ticks and local writes go on while its applies wait for the disk.
	readyWork chan core.Ready
	readyDone chan readyResult
	inFlight  bool

	// Written by the Run goroutine under sendersMu; the Ready worker reads them (sender).
	sendersMu sync.RWMutex
	senders   map[string]*sender
	// Owned by the Run goroutine.
	live      map[string]bool
	reachable map[string]bool // peers heard from within the contact timeout, as of the last tick
	ready     bool

	wg     sync.WaitGroup
	connMu sync.Mutex
	conns  map[*transport.Conn]struct{}

	bytesSent, bytesReceived, framesDropped            counter
	authFailures, badMessages, applyErrors, stepErrors counter
}

// New restores the node from cfg.Storage, rebuilds its hash tree from the store's digests and binds
// the peer listener. Call Run to start replicating.
func New(cfg Config, store Documents) (*Node, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, fmt.Errorf("%w: Documents is nil", ErrConfig)
	}
	saved, err := cfg.Storage.Load()
	if err != nil {
		return nil, fmt.Errorf("meridian/replication: loading state: %w", err)
	}
	c, err := core.New(cfg.coreConfig(store), saved)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.PeerAddr)
	if err != nil {
		return nil, fmt.Errorf("meridian/replication: peer listener: %w", err)
	}
	n := &Node{cfg: cfg, store: store, log: cfg.Logger.With("node", cfg.ID()), listener: ln,
		wake: make(chan struct{}, 1), inbound: make(chan wire.Message, 1024),
		senders: map[string]*sender{}, live: map[string]bool{}, reachable: map[string]bool{}, conns: map[*transport.Conn]struct{}{},
		readyWork: make(chan core.Ready), readyDone: make(chan readyResult, 1), budget: newBudget(cfg)}
	n.mu.core = c
	n.readyNow.Store(c.IsReady())
	for _, doc := range c.Tombstones() {
		n.deleted.Store(doc, struct{}{})
	}
	c.SetRepairBudget(n.budget.perTick())
	return n, nil
}

// PeerAddr is the address the peer listener is bound to (useful when Config.PeerAddr had port 0).
func (n *Node) PeerAddr() string { return n.listener.Addr().String() }

// ID is the node's cluster id.
func (n *Node) ID() string { return n.cfg.ID() }

// LocalUpdate hands replication a client write the store has made durable with its push-log entry
// (see DurableWrite). It never blocks: the write joins an intake the Run goroutine takes into the core
// in order, so the store's commit loop can call it for every numbered write of a batch.
func (n *Node) LocalUpdate(w DurableWrite) {
	if w.Deleted {
		n.deleted.Store(w.Doc, struct{}{})
	}
	n.intake.add(w)
	n.poke()
}

// IsDeleted reports whether the document carries a tombstone (the server refuses writes to it).
func (n *Node) IsDeleted(doc string) bool {
	_, ok := n.deleted.Load(doc)
	return ok
}

// Ready reports whether the node finished bootstrapping: /readyz and client writes wait for it.
func (n *Node) Ready() bool { return n.readyNow.Load() }

func (n *Node) poke() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Run replicates until ctx ends; it returns nil then, or the error that stopped it (a failure to
// persist state, after which continuing could acknowledge what is not durable).
func (n *Node) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		n.listener.Close()
		n.closeConns()
		n.wg.Wait()
	}()
	n.wg.Add(2)
	go func() {
		defer n.wg.Done()
		n.serve(ctx)
	}()
	go func() {
		defer n.wg.Done()
		n.readyWorker(ctx)
	}()
	ticker := newTicker(n.cfg.TickInterval)
	defer ticker.Stop()
	for ticks := 1; ; ticks++ {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
			n.syncMembers(ctx)
			n.mu.Lock()
			n.mu.core.SetRepairBudget(n.budget.adapt(n.mu.core.Repairing()))
			n.mu.core.Tick()
			st := n.mu.core.Status()
			n.mu.Unlock()
			n.noteReachability(st)
			n.logBootstrapProgress(ticks)
		case m := <-n.inbound:
			n.stepReceived(ctx, m)
			// Step whatever else already arrived before taking the next Ready: under load one Ready
			// then carries many updates, applied together and acknowledged in one ack.
		more:
			for range maxStepsPerReady - 1 {
				select {
				case m := <-n.inbound:
					n.stepReceived(ctx, m)
				default:
					break more
				}
			}
		case res := <-n.readyDone:
			if err := n.finishReady(res); err != nil {
				return err
			}
		case <-n.wake:
		}
		n.takeLocalWrites()
		n.startReady(ctx)
	}
}

// maxStepsPerReady bounds the messages stepped before their Ready is performed, so acks are not held back
// for long by a flood of messages.
const maxStepsPerReady = 256

func (n *Node) stepReceived(ctx context.Context, m wire.Message) {
	n.mu.Lock()
	known := n.sender(m.From) != nil
	n.mu.Unlock()
	if !known {
		// A peer we have not seen in membership yet (it noticed us first): look again now, or our
		// answers would be dropped for want of a stream to it.
		n.syncMembers(ctx)
	}
	n.step(m)
}

func (n *Node) step(m wire.Message) {
	n.mu.Lock()
	err := n.mu.core.Step(m)
	deleted := (m.Kind == wire.KindTombstone || (m.Kind == wire.KindPush && m.Deleted)) && n.mu.core.IsDeleted(m.Doc)
	n.mu.Unlock()
	if deleted {
		n.deleted.Store(m.Doc, struct{}{}) // at once: client writes are refused before the Ready is performed
	}
	if err != nil {
		n.stepErrors.Add(1)
		n.log.Warn("peer message refused", "peer", m.From, "kind", m.Kind.String(), "err", err)
	}
}

// logBootstrapProgress reports the copy every 5 seconds while the node bootstraps.
func (n *Node) logBootstrapProgress(ticks int) {
	every := max(int(5*time.Second/n.cfg.TickInterval), 1)
	if ticks%every != 0 || n.ready {
		return
	}
	st := n.Status()
	n.log.Info("bootstrapping", "docs_copied", st.Repairs, "docs_held", st.Documents,
		"docs_found_differing", st.DocsDiffering, "bytes_copied", st.RepairBytes, "peers", len(st.Peers))
}

func (n *Node) publishReadiness(ready bool) {
	if ready == n.ready {
		return
	}
	n.ready = ready
	if err := n.cfg.Membership.SetReady(ready); err != nil {
		n.log.Warn("publishing readiness failed", "err", err)
	}
	n.log.Info("replication ready", "ready", ready)
}

// syncMembers turns membership changes into PeerUp/PeerDown and keeps one sender per member.
func (n *Node) syncMembers(ctx context.Context) {
	members := n.cfg.Membership.Members()
	seen := map[string]bool{}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.mu.members = members
	for _, m := range members {
		if m.ID == n.cfg.ID() || m.PeerAddr == "" {
			continue
		}
		seen[m.ID] = true
		if s := n.sender(m.ID); s == nil {
			n.addSender(ctx, m.ID, m.PeerAddr)
		} else {
			s.setAddr(m.PeerAddr)
		}
		if !n.live[m.ID] {
			n.live[m.ID] = true
			n.log.Info("peer up", "peer", m.ID, "region", m.Region)
			n.mu.core.PeerUp(m.ID)
		}
		n.mu.core.PeerBootstrapping(m.ID, !m.Ready)
	}
	for id := range n.live {
		if !seen[id] {
			delete(n.live, id)
			n.log.Info("peer down", "peer", id)
			n.mu.core.PeerDown(id)
		}
	}
	// Members gossip has as failed keep (or get) a stream: after a partition gossip may take tens of
	// seconds to list them alive again, while their streams work at once; the core's heartbeats and
	// the peer's bring each side up on the first message through (core: heard).
	if k, ok := n.cfg.Membership.(knownMembers); ok {
		for _, m := range k.Known() {
			if m.ID != n.cfg.ID() && m.PeerAddr != "" && n.sender(m.ID) == nil {
				n.addSender(ctx, m.ID, m.PeerAddr)
			}
		}
	}
}

// knownMembers is implemented by memberships that also know members currently failed (serf).
type knownMembers interface {
	Known() []membership.Member
}

// noteReachability logs peers falling silent or heard again, and drops the stream to a peer that
// fell silent so it is redialled rather than left in TCP retransmission backoff.
func (n *Node) noteReachability(st core.Status) {
	for _, p := range st.Peers {
		was := n.reachable[p.ID]
		if p.Reachable == was {
			continue
		}
		n.reachable[p.ID] = p.Reachable
		if p.Reachable {
			n.log.Info("peer reachable", "peer", p.ID)
			continue
		}
		if p.Live {
			n.log.Warn("peer unreachable: nothing heard on its stream", "peer", p.ID,
				"silent", time.Duration(p.SilentTicks)*n.cfg.TickInterval)
		}
		if s := n.sender(p.ID); s != nil {
			s.reset()
		}
	}
}

func (n *Node) sender(id string) *sender {
	n.sendersMu.RLock()
	defer n.sendersMu.RUnlock()
	return n.senders[id]
}

func (n *Node) addSender(ctx context.Context, id, addr string) {
	s := n.startSender(ctx, id, addr)
	n.sendersMu.Lock()
	n.senders[id] = s
	n.sendersMu.Unlock()
}

func (n *Node) closeConns() {
	n.connMu.Lock()
	defer n.connMu.Unlock()
	for c := range n.conns {
		c.Close()
	}
}
