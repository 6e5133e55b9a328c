package replication

import "github.com/prometheus/client_golang/prometheus"

// Collector returns a Prometheus collector reading the node's state at scrape time; the server
// registers it (prometheus.MustRegister(node.Collector())).
func (n *Node) Collector() prometheus.Collector { return collector{n} }

type collector struct{ n *Node }

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("meridian_replication_"+name, help, labels, nil)
}

var (
	descReady          = desc("ready", "1 once the node finished bootstrapping.")
	descMembers        = desc("members", "Alive members other than this node.")
	descQueueDepth     = desc("peer_queue_depth", "Local writes a peer has not acknowledged.", "peer")
	descQueueBytes     = desc("peer_queue_bytes", "Bytes of a peer's realtime queue.", "peer")
	descPeerLive       = desc("peer_live", "1 while membership lists the peer and its stream was heard from within the contact timeout.", "peer")
	descPeerMember     = desc("peer_member", "1 while membership (gossip) lists the peer as alive.", "peer")
	descPeerLag        = desc("peer_lag_seconds", "Age of the oldest local write the peer has not acknowledged.", "peer")
	descPeerSilence    = desc("peer_silence_seconds", "Time since the peer's stream was last heard from.", "peer")
	descOverflows      = desc("peer_queue_overflows_total", "Times a peer's queue was dropped for anti-entropy.", "peer")
	descExchanges      = desc("exchanges_total", "Anti-entropy exchanges started.")
	descExchangesClean = desc("exchanges_clean_total", "Exchanges that found nothing to repair.")
	descDiffering      = desc("docs_differing_total", "Documents found differing by exchanges.")
	descRepairs        = desc("repairs_applied_total", "Repair updates (sync step 2) received and applied.")
	descRepairBytes    = desc("repair_bytes_received_total", "Bytes of repair updates received (bootstrap copy progress).")
	descPushes         = desc("pushes_applied_total", "Realtime updates applied from peers.")
	descBytesSent      = desc("bytes_sent_total", "Bytes sent on peer streams.")
	descBytesReceived  = desc("bytes_received_total", "Bytes received on peer streams.")
	descDropped        = desc("frames_dropped_total", "Frames dropped because a peer was unreachable or slow.")
	descAuthFailures   = desc("auth_failures_total", "Inbound peer handshakes refused.")
	descBadMessages    = desc("bad_messages_total", "Malformed or refused peer messages.")
	descBudgetBytes    = desc("repair_budget_bytes_per_second", "Repair and bootstrap bytes budget in force (adapts to client write latency).")
	descBudgetDocs     = desc("repair_budget_docs_per_second", "Repair and bootstrap documents budget in force.")
	descClientP99      = desc("client_write_p99_seconds", "Client write p99 latency the repair budget last saw.")
	descPressured      = desc("repair_pressured_ticks_total", "Ticks in which repair backed off for client latency.")
)

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descReady, descMembers, descQueueDepth, descQueueBytes, descPeerLive,
		descPeerMember, descPeerLag, descPeerSilence, descOverflows, descExchanges, descExchangesClean, descDiffering, descRepairs, descRepairBytes, descPushes,
		descBytesSent, descBytesReceived, descDropped, descAuthFailures, descBadMessages,
		descBudgetBytes, descBudgetDocs, descClientP99, descPressured} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	n := c.n
	n.mu.Lock()
	cs := n.mu.core.Status()
	members := len(n.mu.members)
	n.mu.Unlock()
	gauge := func(d *prometheus.Desc, v float64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, l...)
	}
	count := func(d *prometheus.Desc, v uint64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), l...)
	}
	gauge(descReady, b2f(cs.Ready))
	gauge(descMembers, float64(members))
	for _, p := range cs.Peers {
		gauge(descQueueDepth, float64(p.QueueDepth), p.ID)
		gauge(descQueueBytes, float64(p.QueueBytes), p.ID)
		gauge(descPeerLive, b2f(p.Reachable), p.ID)
		gauge(descPeerMember, b2f(p.Live), p.ID)
		gauge(descPeerLag, float64(n.ticksToMillis(p.LagTicks))/1000, p.ID)
		gauge(descPeerSilence, float64(n.ticksToMillis(p.SilentTicks))/1000, p.ID)
		count(descOverflows, p.Overflows, p.ID)
	}
	s := cs.Stats
	count(descExchanges, s.ExchangesStarted)
	count(descExchangesClean, s.ExchangesClean)
	count(descDiffering, s.DocsDiffering)
	count(descRepairs, s.RepairsApplied)
	count(descRepairBytes, s.RepairBytesReceived)
	count(descPushes, s.PushesApplied)
	count(descBytesSent, n.bytesSent.Load())
	count(descBytesReceived, n.bytesReceived.Load())
	count(descDropped, n.framesDropped.Load())
	count(descAuthFailures, n.authFailures.Load())
	count(descBadMessages, n.badMessages.Load()+n.stepErrors.Load())
	b := n.budget.status()
	gauge(descBudgetBytes, float64(b.BytesPerSecond))
	gauge(descBudgetDocs, float64(b.DocsPerSecond))
	gauge(descClientP99, b.ClientP99Ms/1000)
	count(descPressured, b.PressuredTicks)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
