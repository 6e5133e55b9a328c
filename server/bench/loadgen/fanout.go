package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// fanoutConfig is the shape of the fan-out scenario: clients spread evenly over docs, every client typing at
// each rate of rates (updates per second per client) in turn.
type fanoutConfig struct {
	clients, docs int
	rates         []float64
	warmup        time.Duration // typing before the measurement window opens
	window        time.Duration // the measured span
	grace         time.Duration // after typing stops, for updates still in flight
	p99Limit      time.Duration // a step whose p99 passes this ends the ramp
	timeline      io.Writer     // nil, or where each step's latencies go bucket by bucket (-timeline)
}

// fanoutStep is what one rate step measured.
type fanoutStep struct {
	ratePerClient float64
	updatesPerSec float64 // updates the clients sent during the window, per second
	deliveredPct  float64 // of the copies the other clients of the document should have received
	deliveriesSec float64
	p50, p99, max time.Duration
	serverCPU     time.Duration // server CPU time during the window
	generatorCPU  time.Duration
	// Time the server's and the generator's threads spent runnable but waiting for a CPU during the window:
	// when these are large, the machine is busy with other work and the latencies measure its scheduler.
	serverWait, generatorWait time.Duration
	deliveries                int64
	lostConns                 int
}

func (s fanoutStep) saturated(limit time.Duration) bool {
	return s.p99 > limit || s.deliveredPct < 99 || s.lostConns > 0
}

// latencyBook matches deliveries to sends. Each sender has a ring of send times indexed by sequence number;
// the ring is far longer than the number of updates in flight.
type latencyBook struct {
	epoch  time.Time
	ring   int
	sentAt []atomic.Int64 // [sender*ring + seq%ring] = ns since epoch
	// the window, in ns since epoch; a delivery counts when its update was sent inside it
	windowFrom, windowTo atomic.Int64
	sends, deliveries    atomic.Int64

	mu      sync.Mutex
	samples []time.Duration
	sentOf  []int64 // sentOf[i]: when the update of samples[i] was sent, ns since epoch (for -timeline)
}

func newLatencyBook(senders int) *latencyBook {
	const ring = 4096
	b := &latencyBook{epoch: time.Now(), ring: ring, sentAt: make([]atomic.Int64, senders*ring)}
	b.windowFrom.Store(-1)
	b.windowTo.Store(-1)
	return b
}

func (b *latencyBook) now() int64 { return int64(time.Since(b.epoch)) }

func (b *latencyBook) inWindow(t int64) bool {
	return t >= b.windowFrom.Load() && t < b.windowTo.Load() && b.windowFrom.Load() >= 0
}

func (b *latencyBook) sent(sender, seq int) {
	t := b.now()
	b.sentAt[sender*b.ring+seq%b.ring].Store(t)
	if b.inWindow(t) {
		b.sends.Add(1)
	}
}

func (b *latencyBook) delivered(receiver, sender, seq int) {
	if sender == receiver || sender*b.ring >= len(b.sentAt) {
		return // the echo of our own update, or a marker we did not write
	}
	sent := b.sentAt[sender*b.ring+seq%b.ring].Load()
	if !b.inWindow(sent) {
		return
	}
	b.deliveries.Add(1)
	lat := time.Duration(b.now() - sent)
	b.mu.Lock()
	b.samples = append(b.samples, lat)
	b.sentOf = append(b.sentOf, sent)
	b.mu.Unlock()
}

// openWindow starts a measurement window at now and clears the counters; closeWindow ends it.
func (b *latencyBook) openWindow() {
	b.mu.Lock()
	b.samples = b.samples[:0]
	b.sentOf = b.sentOf[:0]
	b.mu.Unlock()
	b.sends.Store(0)
	b.deliveries.Store(0)
	// From first: until To moves on, the window [now, old To) is empty.
	b.windowFrom.Store(b.now())
	b.windowTo.Store(1 << 62)
}

func (b *latencyBook) closeWindow() { b.windowTo.Store(b.now()) }

func (b *latencyBook) percentiles() (p50, p99, max time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.samples) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(b.samples)
	slices.Sort(s)
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return at(0.50), at(0.99), s[len(s)-1]
}

// runFanout starts the target, connects the clients and ramps the typing rate until the p99 limit is passed
// (or the server stops delivering), measuring each step.
func runFanout(ctx context.Context, t target, env benchEnv, cfg fanoutConfig) ([]fanoutStep, error) {
	p, err := t.start(env.serverCPUs, env.workDir, "", nil)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	docOf := func(i int) string { return "bench-fanout-" + strconv.Itoa(i%cfg.docs) }
	clients, err := dialMany(ctx, t, p.addr, cfg.clients, docOf)
	if err != nil {
		return nil, fmt.Errorf("%s: connecting %d clients: %w", t.name, cfg.clients, err)
	}
	defer closeAll(clients)
	book := newLatencyBook(cfg.clients)
	var lost atomic.Int64
	recv, err := newReceiver(clients, func(c *benchClient, frame []byte) {
		if m, err := c.wire.decode(frame); err == nil && m.isSync && m.syncType == syncUpdate {
			scanMarkers(m.payload, func(sender, seq int) { book.delivered(c.id, sender, seq) })
		}
	}, func(*benchClient) { lost.Add(1) })
	if err != nil {
		return nil, err
	}
	defer recv.stop()
	perDoc := cfg.clients / cfg.docs
	var steps []fanoutStep
	for _, rate := range cfg.rates {
		step, err := runStep(ctx, t.name, p, clients, book, &lost, rate, perDoc, cfg)
		if err != nil {
			return steps, err
		}
		steps = append(steps, step)
		env.logf("  %-18s %6.0f upd/s/client: %8.0f upd/s in, %5.1f%% delivered, p50 %v p99 %v",
			t.name, rate, step.updatesPerSec, step.deliveredPct, step.p50, step.p99)
		if step.saturated(cfg.p99Limit) {
			break
		}
	}
	return steps, nil
}

func runStep(ctx context.Context, name string, p *serverProcess, clients []*benchClient, book *latencyBook, lost *atomic.Int64,
	rate float64, perDoc int, cfg fanoutConfig) (fanoutStep, error) {
	lostBefore := lost.Load()
	typing, stopTyping := context.WithCancel(ctx)
	var typers sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	for _, c := range clients {
		typers.Go(func() { typeAtRate(typing, c, book, interval) })
	}
	time.Sleep(cfg.warmup)
	serverPid := strconv.Itoa(p.pid())
	serverStart, _ := cpuTime(serverPid)
	genStart, _ := cpuTime("self")
	serverWaitStart, _ := runQueueWait(serverPid)
	genWaitStart, _ := runQueueWait("self")
	book.openWindow()
	time.Sleep(cfg.window)
	book.closeWindow()
	serverEnd, _ := cpuTime(serverPid)
	genEnd, _ := cpuTime("self")
	serverWaitEnd, _ := runQueueWait(serverPid)
	genWaitEnd, _ := runQueueWait("self")
	stopTyping()
	typers.Wait()
	time.Sleep(cfg.grace)

	secs := cfg.window.Seconds()
	sends, deliveries := book.sends.Load(), book.deliveries.Load()
	step := fanoutStep{ratePerClient: rate, updatesPerSec: float64(sends) / secs, deliveriesSec: float64(deliveries) / secs,
		serverCPU: serverEnd - serverStart, generatorCPU: genEnd - genStart, deliveries: deliveries,
		serverWait: max(0, serverWaitEnd-serverWaitStart), generatorWait: max(0, genWaitEnd-genWaitStart),
		lostConns: int(lost.Load() - lostBefore)}
	if want := sends * int64(perDoc-1); want > 0 {
		step.deliveredPct = 100 * float64(deliveries) / float64(want)
	}
	step.p50, step.p99, step.max = book.percentiles()
	if cfg.timeline != nil {
		label := fmt.Sprintf("%s\t%g", name, rate)
		if err := book.writeTimeline(cfg.timeline, label, 100*time.Millisecond); err != nil {
			return step, fmt.Errorf("-timeline: %w", err)
		}
	}
	return step, nil
}

// typeAtRate types one marker every interval (starting at a random phase, so clients do not tick in
// lockstep) until ctx ends.
func typeAtRate(ctx context.Context, c *benchClient, book *latencyBook, interval time.Duration) {
	select {
	case <-time.After(rand.N(interval)):
	case <-ctx.Done():
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		frame, seq, err := c.typeMarker()
		if err != nil {
			return
		}
		book.sent(c.id, seq)
		if c.write(frame) != nil {
			return
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}
