package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics live in a per-Server registry, so several servers (tests) never collide.
type metrics struct {
	registry       *prometheus.Registry
	connections    prometheus.Gauge
	documents      prometheus.Gauge
	messages       *prometheus.CounterVec // direction, type
	bytes          *prometheus.CounterVec // direction
	applySeconds   prometheus.Histogram
	fsyncSeconds   prometheus.Histogram
	batchOps       prometheus.Histogram
	durableWait    prometheus.Histogram // an update's wait from applied in memory to broadcast (the group commit)
	framesPerWrite prometheus.Histogram // WebSocket frames carried by one write to a connection (coalescing)
	writerHandoffs prometheus.Counter   // direct writes that left bytes to the writer goroutine (full sockets)
	ringBatches    prometheus.Counter   // room fan-outs written through io_uring
	compactions    prometheus.Counter
	refusals       *prometheus.CounterVec // reason
	storageState   *prometheus.GaugeVec   // state: 1 for the store's current state (storage_health.go)

	// The per-frame counters, resolved once: looking a label set up hashes it and takes a lock, which at
	// tens of thousands of frames a second is a cost worth skipping.
	in, out frameCounters
}

// frameCounters are the message and byte counters of one direction.
type frameCounters struct {
	bytes    prometheus.Counter
	messages map[string]prometheus.Counter // by messageTypeName
}

func newFrameCounters(m *metrics, direction string) frameCounters {
	fc := frameCounters{bytes: m.bytes.WithLabelValues(direction), messages: map[string]prometheus.Counter{}}
	for _, name := range messageTypeNames {
		fc.messages[name] = m.messages.WithLabelValues(direction, name)
	}
	fc.messages["other"] = m.messages.WithLabelValues(direction, "other")
	return fc
}

func (fc frameCounters) count(frame []byte) {
	fc.bytes.Add(float64(len(frame)))
	fc.messages[messageTypeName(frame)].Inc()
}

// countIn and countOut count one WebSocket message received or sent.
func (m *metrics) countIn(frame []byte)  { m.in.count(frame) }
func (m *metrics) countOut(frame []byte) { m.out.count(frame) }

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
		durableWait: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "meridian_update_durable_wait_seconds",
			Help:    "Time from an update applied in memory to its broadcast: waiting for its synced batch and the writes ahead of it.",
			Buckets: prometheus.ExponentialBuckets(1e-4, 2, 16)}),
		framesPerWrite: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "meridian_ws_frames_per_write",
			Help:    "WebSocket frames sent to a connection by one write: what was queued for it when its writer ran.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 9)}),
		writerHandoffs: prometheus.NewCounter(prometheus.CounterOpts{Name: "meridian_ws_writer_handoffs_total",
			Help: "Room writes that a connection's socket did not take at once, left to its writer goroutine (slow clients, or ones that stopped reading)."}),
		ringBatches: prometheus.NewCounter(prometheus.CounterOpts{Name: "meridian_ws_ring_batches_total",
			Help: "Room fan-outs whose writes to several connections went out in one io_uring submission (stays 0 with --io-uring=false or where the kernel forbids io_uring)."}),
		compactions: prometheus.NewCounter(prometheus.CounterOpts{Name: "meridian_store_compactions_total",
			Help: "Document log compactions."}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meridian_refusals_total",
			Help: "Connections or messages refused, by reason."}, []string{"reason"}),
		storageState: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "meridian_storage_state",
			Help: "1 for the storage state the node is in: ok, full (writes refused until space is freed) or failed (writes refused until restart)."}, []string{"state"}),
	}
	m.registry.MustRegister(m.connections, m.documents, m.messages, m.bytes, m.applySeconds, m.fsyncSeconds,
		m.batchOps, m.durableWait, m.framesPerWrite, m.writerHandoffs, m.ringBatches, m.compactions, m.refusals,
		m.storageState,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.in, m.out = newFrameCounters(m, "in"), newFrameCounters(m, "out")
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
