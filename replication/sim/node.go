package sim

import (
	"fmt"
	"sort"

	"github.com/meridian-sync/meridian/replication/core"
	"github.com/meridian-sync/meridian/replication/tree"
	"github.com/meridian-sync/meridian/replication/wire"
)

// node is one simulated server: a durable store and durable records that survive crashes, and a core
// that does not.
type node struct {
	id      string
	region  int
	index   int
	joinAt  int  // tick at which it joins the cluster (0 for founding nodes)
	empty   bool // joins empty and bootstraps
	joined  bool // started at least once
	up      bool
	store   *store
	records map[string][]byte // what the core asked to persist
	core    *core.Node
	view    map[string]bool // peers the membership layer reports live
}

// simShape is small so that segments hold several documents and key lists get exercised.
var simShape = tree.Shape{Fanout: 4, Depth: 3}

func (n *node) start(seed uint64) error {
	var saved []core.Record
	for _, k := range sortedRecordKeys(n.records) {
		saved = append(saved, core.Record{Key: k, Value: n.records[k]})
	}
	c, err := core.New(core.Config{
		ID: n.id, Store: n.store, Seed: seed, Shape: simShape, Bootstrap: n.empty,
		ExchangeIntervalTicks: 8, ExchangeTimeoutTicks: 30, MaxDocsPerExchange: 4,
		MaxSegmentsPerExchange: 6, MaxNodesPerLevel: 3, DeferTicks: 4, QueueMaxBytes: 1200,
		PushWindow: 8, RetransmitTicks: 6, BootstrapAloneTicks: 40,
	}, saved)
	if err != nil {
		return fmt.Errorf("%s: restart: %w", n.id, err)
	}
	n.core, n.up, n.view = c, true, map[string]bool{}
	return nil
}

func (n *node) crash(nw *network) {
	n.up, n.core, n.view = false, nil, nil
	nw.dropTo(n.id)
}

// drain performs the core's Ready in the documented order. With crashMidway the node dies after
// applying, before persisting and sending: the worst point for an unclean shutdown.
func (n *node) drain(now int, nw *network, crashMidway bool) error {
	for n.up && n.core.HasReady() {
		rd := n.core.Ready()
		for _, u := range rd.Apply {
			if err := n.store.apply(u.Doc, u.Update); err != nil {
				return fmt.Errorf("%s: applying update for %q from %s: %w", n.id, u.Doc, u.From, err)
			}
		}
		if crashMidway {
			n.crash(nw)
			return nil
		}
		for _, r := range rd.Persist {
			if r.Value == nil {
				delete(n.records, r.Key)
			} else {
				n.records[r.Key] = append([]byte(nil), r.Value...)
			}
		}
		for _, d := range rd.Delete {
			n.store.remove(d)
		}
		for _, m := range rd.Messages {
			nw.send(now, m)
		}
		if err := n.core.Advance(rd, n.store.applied(rd)); err != nil {
			return fmt.Errorf("%s: advance: %w", n.id, err)
		}
	}
	return nil
}

func (n *node) deliver(f flight) error {
	m, err := wire.Decode(f.bytes, wire.DefaultLimits)
	if err != nil {
		return fmt.Errorf("%s: decoding from %s: %w", n.id, f.from, err)
	}
	m.From = f.from
	if err := n.core.Step(m); err != nil {
		return fmt.Errorf("%s: step %v from %s: %w", n.id, m.Kind, f.from, err)
	}
	return nil
}

// local hands the core a client write the way the server's store does: numbered from the "seq"
// record, and durable together with its push entry and the new "seq" (one batch) before the core
// hears of it. A crash right after this keeps the write queued for the peers.
func (n *node) local(w core.DurableWrite) error {
	last, _ := core.LastSeq(core.Record{Key: "seq", Value: n.records["seq"]})
	w.Seq = last + 1
	if !w.Deleted {
		w.Digest, _, _ = n.store.Digest(w.Doc)
	}
	for _, r := range []core.Record{core.PushRecord(w), core.SeqRecord(w.Seq)} {
		n.records[r.Key] = r.Value
	}
	return n.core.LocalUpdate(w)
}

func sortedRecordKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
