package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics live in a per-Server registry, so several servers (tests) never collide.
type metrics struct {
	registry     *prometheus.Registry
	connections  prometheus.Gauge
	documents    prometheus.Gauge
	messages     *prometheus.CounterVec // direction, type
	bytes        *prometheus.CounterVec // direction
	applySeconds prometheus.Histogram
	fsyncSeconds prometheus.Histogram
	batchOps     prometheus.Histogram
	compactions  prometheus.Counter
	refusals     *prometheus.CounterVec // reason
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		connections: prometheus.NewGauge(prometheus.GaugeOpts{Name: "meridian_connections",
			Help: "Open WebSocket connections."}),
		documents: prometheus.NewGauge(prometheus.GaugeOpts{Name: "meridian_documents_loaded",
			Help: "Documents held in memory."}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meridian_messages_total",
			Help: "WebSocket messages by direction (in/out) and type."}, []string{"direction", "type"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meridian_bytes_total",
			Help: "WebSocket payload bytes by direction (in/out)."}, []string{"direction"}),
		applySeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "meridian_update_apply_seconds",
			Help: "Time to apply one update to an in-memory document.", Buckets: prometheus.ExponentialBuckets(1e-6, 4, 12)}),
		fsyncSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "meridian_store_fsync_seconds",
			Help: "Duration of one synced group commit.", Buckets: prometheus.ExponentialBuckets(1e-5, 4, 10)}),
		batchOps: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "meridian_store_batch_ops",
			Help: "Writes carried by one synced group commit.", Buckets: prometheus.ExponentialBuckets(1, 2, 13)}),
		compactions: prometheus.NewCounter(prometheus.CounterOpts{Name: "meridian_store_compactions_total",
			Help: "Document log compactions."}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meridian_refusals_total",
			Help: "Connections or messages refused, by reason."}, []string{"reason"}),
	}
	m.registry.MustRegister(m.connections, m.documents, m.messages, m.bytes, m.applySeconds, m.fsyncSeconds,
		m.batchOps, m.compactions, m.refusals,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

var messageTypeNames = map[uint64]string{0: "sync", 1: "awareness", 2: "auth", 3: "query_awareness", 100: "hello", 101: "ack"}

func messageTypeName(frame []byte) string {
	if len(frame) > 0 {
		if n, ok := messageTypeNames[uint64(frame[0])]; ok {
			return n
		}
	}
	return "other"
}
