package replication

import (
	"sort"

	"github.com/meridian-sync/meridian/replication/membership"
)

// PeerStatus is one peer in GET /v1/cluster.
type PeerStatus struct {
	ID     string `json:"id"`
	Region string `json:"region"`
	// Live: membership lists the peer and its stream was heard from within the contact timeout
	// (3 s by default), so a cut link shows here within seconds whatever gossip still believes.
	Live bool `json:"live"`
	// Member: membership (gossip) lists the peer as alive.
	Member bool `json:"member"`
	// SilentMillis since the peer's stream was last heard from.
	SilentMillis int64 `json:"silent_ms"`
	// LagMillis is the age of the oldest local write the peer has not acknowledged (0 when none).
	LagMillis  int64  `json:"lag_ms"`
	Ready      bool   `json:"ready"`
	Synced     bool   `json:"synced"`
	QueueDepth uint64 `json:"queue_depth"` // local writes the peer has not acknowledged: its lag
	QueueBytes int    `json:"queue_bytes"`
	Overflows  uint64 `json:"queue_overflows"`
}

// Status is the body of GET /v1/cluster.
type Status struct {
	Node      string       `json:"node"`
	Region    string       `json:"region"`
	Ready     bool         `json:"ready"`
	Regions   []string     `json:"regions"`
	Peers     []PeerStatus `json:"peers"`
	Documents int          `json:"documents"`
	TreeTop   uint64       `json:"tree_top"`
	// Anti-entropy and bootstrap progress.
	Exchanges      uint64 `json:"exchanges"`
	ExchangesClean uint64 `json:"exchanges_clean"`
	DocsDiffering  uint64 `json:"docs_differing"`
	Repairs        uint64 `json:"repairs_applied"`
	RepairBytes    uint64 `json:"repair_bytes_received"`
	BytesSent      uint64 `json:"bytes_sent"`
	BytesReceived  uint64 `json:"bytes_received"`
	// RepairBudget is what repair and bootstrap may use now, and why (budget.go).
	RepairBudget BudgetStatus `json:"repair_budget"`
}

// Status reports members, regions, readiness, per-peer queues and anti-entropy counters. While the
// node bootstraps, Repairs and RepairBytes are its copy progress (documents and bytes received).
func (n *Node) Status() Status {
	n.mu.Lock()
	cs := n.mu.core.Status()
	members := append([]membership.Member(nil), n.mu.members...)
	n.mu.Unlock()
	st := Status{Node: n.cfg.ID(), Region: n.cfg.Region, Ready: cs.Ready, Documents: cs.Documents, TreeTop: cs.TreeTop,
		Exchanges: cs.Stats.ExchangesStarted, ExchangesClean: cs.Stats.ExchangesClean, DocsDiffering: cs.Stats.DocsDiffering,
		Repairs: cs.Stats.RepairsApplied, RepairBytes: cs.Stats.RepairBytesReceived,
		BytesSent: n.bytesSent.Load(), BytesReceived: n.bytesReceived.Load(), RepairBudget: n.budget.status()}
	regions := map[string]bool{n.cfg.Region: true}
	byID := map[string]membership.Member{}
	for _, m := range members {
		regions[m.Region] = true
		byID[m.ID] = m
	}
	for r := range regions {
		st.Regions = append(st.Regions, r)
	}
	sort.Strings(st.Regions)
	for _, p := range cs.Peers {
		m := byID[p.ID]
		st.Peers = append(st.Peers, PeerStatus{ID: p.ID, Region: m.Region, Live: p.Reachable, Member: p.Live,
			Ready: m.Ready, Synced: p.Synced, QueueDepth: p.QueueDepth, QueueBytes: p.QueueBytes, Overflows: p.Overflows,
			SilentMillis: n.ticksToMillis(p.SilentTicks), LagMillis: n.ticksToMillis(p.LagTicks)})
	}
	return st
}

func (n *Node) ticksToMillis(ticks uint64) int64 {
	return int64(ticks) * n.cfg.TickInterval.Milliseconds()
}
