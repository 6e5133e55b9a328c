package realbench

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/meridian-sync/meridian/crdt/lib0"
)

// ThroughputConfig sizes the durable-write-throughput scenario.
type ThroughputConfig struct {
	Bin, Dir   string
	Regions    int      // 1: one node; 3: a three-region cluster (writes go to the first)
	Transports []string // "http", "ws"
	Writers    []int    // concurrent writers per cell
	Duration   time.Duration
	Warmup     time.Duration
	Window     int      // WebSocket updates in flight per connection (acks complete them)
	Extra      []string // serve flags after ThroughputFlags
	Logf       func(format string, args ...any)
}

// ThroughputRow is one cell: a transport, a writer count, distinct documents or one shared one.
type ThroughputRow struct {
	Regions   int
	Transport string
	Writers   int
	Shared    bool
	Updates   int     // completed (acknowledged durable) within the measured window
	PerSecond float64 // Updates / window
	Fsyncs    float64 // synced group commits per second at the written node
	Lat       Latencies
	// Failed says why writers ended early (e.g. the server cut them off as too slow to receive the
	// shared document's fan-out: close 4508); the figures count what completed before.
	Failed string
}

// ThroughputFlags are the serve flags of the throughput nodes: the per-connection message rate limit
// (200/s by default) would otherwise cap a WebSocket writer, and every writer comes from 127.0.0.1, which
// the per-address limit on requests in flight (64 by default) would refuse past 64 writers.
var ThroughputFlags = []string{"--updates-per-second", "1e9", "--update-burst", "1000000000",
	"--http-requests-per-address", "100000"}

// Throughput starts cfg.Regions regions (fresh data), then runs every cell against the first one.
func Throughput(ctx context.Context, cfg ThroughputConfig) ([]ThroughputRow, error) {
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	var nodes []*Node
	defer func() {
		for i := len(nodes) - 1; i >= 0; i-- {
			nodes[i].Stop()
		}
	}()
	for i := range cfg.Regions {
		nc := NodeConfig{Bin: cfg.Bin, Region: fmt.Sprintf("tp%d-%c", cfg.Regions, 'a'+i), Dir: cfg.Dir,
			Extra: append(append([]string(nil), ThroughputFlags...), cfg.Extra...)}
		if i > 0 {
			nc.Join = nodes[0]
		}
		n, err := StartNode(nc)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
		if err := n.WaitReady(60 * time.Second); err != nil {
			return nil, err
		}
	}
	a := nodes[0]
	var rows []ThroughputRow
	for _, tr := range cfg.Transports {
		for _, w := range cfg.Writers {
			for _, shared := range []bool{false, true} {
				if ctx.Err() != nil {
					return rows, ctx.Err()
				}
				prefix := fmt.Sprintf("tp-%s-%d-%t-", tr, w, shared)
				row, err := throughputCell(ctx, a, tr, w, shared, prefix, cfg)
				row.Regions = cfg.Regions
				if err != nil {
					return rows, fmt.Errorf("%d region(s), %s, %d writers, shared %t: %w", cfg.Regions, tr, w, shared, err)
				}
				logf("throughput: %d region(s) %s %3d writers shared=%-5t %8.0f updates/s %7.0f fsyncs/s p50 %v p99 %v",
					cfg.Regions, tr, w, shared, row.PerSecond, row.Fsyncs, row.Lat.P50, row.Lat.P99)
				rows = append(rows, row)
			}
		}
	}
	return rows, nil
}

// sample is one completed write: when it completed and how long it took.
type sample struct {
	at  time.Time
	lat time.Duration
}

// writer sends updates until stop closes; it records each completed one.
type writer interface {
	run(stop <-chan struct{}, record func(sample)) error
	close()
}

func throughputCell(ctx context.Context, a *Node, transport string, writers int, shared bool, prefix string, cfg ThroughputConfig) (ThroughputRow, error) {
	row := ThroughputRow{Transport: transport, Writers: writers, Shared: shared}
	ws := make([]writer, writers)
	defer func() {
		for _, w := range ws {
			if w != nil {
				w.close()
			}
		}
	}()
	for i := range ws {
		doc := prefix + "shared"
		if !shared {
			doc = fmt.Sprintf("%s%03d", prefix, i)
		}
		app := NewAppender(uint64(3<<30 + i))
		switch transport {
		case "http":
			ws[i] = &httpWriter{n: a, doc: doc, app: app}
		case "ws":
			w, err := dialWS(ctx, a, doc, app, cfg.Window)
			if err != nil {
				return row, err
			}
			ws[i] = w
		default:
			return row, fmt.Errorf("unknown transport %q", transport)
		}
	}
	stop := make(chan struct{})
	var mu sync.Mutex
	var samples []sample
	var failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []sample
			if err := w.run(stop, func(s sample) { mine = append(mine, s) }); err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
			}
			mu.Lock()
			samples = append(samples, mine...)
			mu.Unlock()
		}()
	}
	time.Sleep(cfg.Warmup)
	m0, err0 := a.Metrics()
	t0 := time.Now()
	time.Sleep(cfg.Duration)
	m1, err1 := a.Metrics()
	t1 := time.Now()
	close(stop)
	wg.Wait()
	if err0 != nil || err1 != nil {
		return row, errors.Join(err0, err1)
	}
	if e := firstErr.Load(); e != nil {
		row.Failed = fmt.Sprintf("%d of %d writers ended early, first: %v", failed.Load(), writers, e)
	}
	var lats []time.Duration
	for _, s := range samples {
		if !s.at.Before(t0) && !s.at.After(t1) {
			lats = append(lats, s.lat)
		}
	}
	window := t1.Sub(t0).Seconds()
	row.Updates = len(lats)
	row.PerSecond = float64(len(lats)) / window
	row.Fsyncs = (m1[MetricFsyncs] - m0[MetricFsyncs]) / window
	row.Lat = Summarize(lats, 0)
	return row, nil
}

// httpWriter POSTs one update at a time and waits for its 200 (stored durably).
type httpWriter struct {
	n   *Node
	doc string
	app *Appender
}

func (w *httpWriter) run(stop <-chan struct{}, record func(sample)) error {
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		u, err := w.app.Next("x")
		if err != nil {
			return err
		}
		t := time.Now()
		if _, err := w.n.PostUpdate(context.Background(), w.doc, u); err != nil {
			return err
		}
		now := time.Now()
		record(sample{now, now.Sub(t)})
	}
}

func (w *httpWriter) close() {}

// wsWriter speaks y-websocket with Meridian's ack extension (server/PROTOCOL.md): it sends sync update
// messages, up to window of them unacknowledged, and completes them as the server's cumulative acks
// (type 101: durable in Pebble) arrive. Everything else the server sends (hello, sync step 1, other
// writers' updates on a shared document) is read and dropped.
type wsWriter struct {
	conn   *websocket.Conn
	app    *Appender
	window chan struct{}

	mu      sync.Mutex
	sent    []time.Time // send time of update k+1 (the ack counts from 1)
	acked   int
	samples []sample
	err     error
	done    chan struct{} // closed when the reader ends
}

func dialWS(ctx context.Context, n *Node, doc string, app *Appender, window int) (*wsWriter, error) {
	u := url.URL{Scheme: "ws", Host: n.HTTP, Path: "/ws/" + doc, RawQuery: "meridian_ext=ack"}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, _, err := d.DialContext(ctx, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", u.String(), err)
	}
	w := &wsWriter{conn: conn, app: app, window: make(chan struct{}, max(1, window)), done: make(chan struct{})}
	go w.read()
	return w, nil
}

func (w *wsWriter) read() {
	defer close(w.done)
	for {
		_, msg, err := w.conn.ReadMessage()
		if err != nil {
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
			return
		}
		kind, k, err := lib0.ReadVarUint(msg)
		if err != nil || kind != 101 {
			continue
		}
		n, _, err := lib0.ReadVarUint(msg[k:])
		if err != nil {
			continue
		}
		now := time.Now()
		w.mu.Lock()
		for ; w.acked < int(n) && w.acked < len(w.sent); w.acked++ {
			w.samples = append(w.samples, sample{now, now.Sub(w.sent[w.acked])})
			<-w.window
		}
		w.mu.Unlock()
	}
}

func (w *wsWriter) run(stop <-chan struct{}, record func(sample)) error {
	defer func() {
		w.mu.Lock()
		for _, s := range w.samples {
			record(s)
		}
		w.samples = nil
		w.mu.Unlock()
	}()
	for {
		select {
		case <-stop:
			return w.drain()
		case <-w.done:
			return w.readErr()
		case w.window <- struct{}{}:
		}
		u, err := w.app.Next("x")
		if err != nil {
			return err
		}
		frame := lib0.AppendVarBytes(lib0.AppendVarUint(lib0.AppendVarUint(make([]byte, 0, len(u)+4), 0), 2), u)
		w.mu.Lock()
		w.sent = append(w.sent, time.Now())
		w.mu.Unlock()
		if err := w.conn.WriteMessage(websocket.BinaryMessage, frame); err != nil {
			return err
		}
	}
}

// drain waits (up to 10 s) for the acks of the updates in flight, so the next cell starts clean.
func (w *wsWriter) drain() error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		w.mu.Lock()
		left, err := len(w.sent)-w.acked, w.err
		w.mu.Unlock()
		if left == 0 {
			return nil
		}
		if err != nil {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
	return errors.New("updates still unacknowledged 10 s after the writers stopped")
}

func (w *wsWriter) readErr() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return fmt.Errorf("connection ended: %w", w.err)
}

func (w *wsWriter) close() {
	_ = w.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
	_ = w.conn.Close()
	<-w.done
}
