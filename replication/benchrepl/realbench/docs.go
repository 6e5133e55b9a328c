package realbench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meridian-sync/meridian/crdt"
)

var words = strings.Fields(`replication region document update anti entropy merkle tree gossip peer stream
	bootstrap pebble durable fsync batch commit latency throughput partition heal converge yjs text insert
	delete state vector snapshot compaction client server websocket cluster member ready queue repair bytes`)

// TextUpdate is a Yjs v1 update creating document i: one text type "body" holding about size bytes of
// words drawn from a generator seeded with i (so documents differ and do not compress to nothing).
func TextUpdate(i, size int) ([]byte, error) {
	r := rand.New(rand.NewPCG(uint64(i), 0x6d6572696469616e))
	var sb strings.Builder
	for sb.Len() < size {
		sb.WriteString(words[r.IntN(len(words))])
		sb.WriteByte(' ')
	}
	d := crdt.NewDoc(crdt.WithClientID(uint64(i)%(1<<31) + 1<<20))
	if err := d.GetText("body").Insert(0, sb.String(), nil); err != nil {
		return nil, err
	}
	return d.EncodeStateAsUpdate(nil), nil
}

// Appender makes successive small updates to one document from one client: each appends s to the text
// "body" as that client sees it (its own inserts only), so the updates integrate anywhere in order.
type Appender struct {
	doc  *crdt.Doc
	last []byte
}

// NewAppender starts a client with the given id (distinct writers need distinct ids).
func NewAppender(clientID uint64) *Appender {
	a := &Appender{doc: crdt.NewDoc(crdt.WithClientID(clientID))}
	a.doc.OnUpdate(func(u []byte, _ any) { a.last = u })
	return a
}

// Next returns the update appending s.
func (a *Appender) Next(s string) ([]byte, error) {
	a.last = nil
	t := a.doc.GetText("body")
	if err := t.Insert(t.Len(), s, nil); err != nil {
		return nil, err
	}
	if a.last == nil {
		return nil, errors.New("no update produced")
	}
	return a.last, nil
}

// post retries a write refused as transient (503, 429) until it is stored or ctx ends.
func post(ctx context.Context, n *Node, doc string, u []byte) error {
	for {
		code, err := n.PostUpdate(ctx, doc, u)
		if err == nil {
			return nil
		}
		if code != http.StatusServiceUnavailable && code != http.StatusTooManyRequests {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Preload writes documents prefix%07d for i in [from, to), each a TextUpdate of size bytes, with the
// given number of concurrent HTTP writers. It returns the update bytes written.
func Preload(ctx context.Context, n *Node, prefix string, from, to, size, writers int) (uint64, error) {
	var next atomic.Int64
	next.Store(int64(from))
	var total atomic.Uint64
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= to || ctx.Err() != nil {
					return
				}
				u, err := TextUpdate(i, size)
				if err == nil {
					err = post(ctx, n, DocID(prefix, i), u)
				}
				if err != nil {
					errs <- err
					return
				}
				total.Add(uint64(len(u)))
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return total.Load(), err
	}
	return total.Load(), ctx.Err()
}

// DocID names document i of a set.
func DocID(prefix string, i int) string { return fmt.Sprintf("%s%07d", prefix, i) }

// CompareDocs GETs each id's JSON on a and b (with 16 readers) and returns the ids whose JSON differ or
// could not be read.
func CompareDocs(a, b *Node, ids []string) (differ []string) {
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ids) {
					return
				}
				ca, ja, erra := a.Get("/v1/docs/" + ids[i])
				cb, jb, errb := b.Get("/v1/docs/" + ids[i])
				if erra != nil || errb != nil || ca != http.StatusOK || cb != http.StatusOK || string(ja) != string(jb) {
					mu.Lock()
					differ = append(differ, ids[i])
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	slices.Sort(differ)
	return differ
}

// Sample returns k of the n documents prefix%07d, chosen at random (all of them when k ≥ n).
func Sample(prefix string, n, k int, seed uint64) []string {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if k < n {
		r := rand.New(rand.NewPCG(seed, 1))
		r.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		idx = idx[:k]
		slices.Sort(idx)
	}
	ids := make([]string, len(idx))
	for j, i := range idx {
		ids[j] = DocID(prefix, i)
	}
	return ids
}

// Latencies summarises a set of samples.
type Latencies struct {
	N             int
	P50, P99, Max time.Duration
	Errors        int
	Over250ms     int
}

// Summarize sorts samples in place and reads its quantiles.
func Summarize(samples []time.Duration, errors int) Latencies {
	l := Latencies{N: len(samples), Errors: errors}
	if len(samples) == 0 {
		return l
	}
	slices.Sort(samples)
	q := func(p float64) time.Duration { return samples[min(len(samples)-1, int(p*float64(len(samples))))] }
	l.P50, l.P99, l.Max = q(0.50), q(0.99), samples[len(samples)-1]
	for _, s := range samples {
		if s > 250*time.Millisecond {
			l.Over250ms++
		}
	}
	return l
}

// RateWriter issues HTTP writes to one node at a fixed total rate over a fixed number of connections,
// each to a document of its own set (prefix-w<worker>-<k>), and records each write's latency from the
// moment it was due (so a stall counts for every write it held back, not only the one in flight).
type RateWriter struct {
	Node  *Node
	Rate  float64 // writes per second, all connections together
	Conns int
	Docs  int // documents per connection
	apps  [][]*Appender
	ids   [][]string
}

// NewRateWriter prepares the writers' documents (prefix names them).
func NewRateWriter(n *Node, rate float64, conns, docsPerConn int, prefix string) *RateWriter {
	w := &RateWriter{Node: n, Rate: rate, Conns: conns, Docs: docsPerConn}
	for c := range conns {
		var apps []*Appender
		var ids []string
		for k := range docsPerConn {
			apps = append(apps, NewAppender(uint64(7<<24+c*docsPerConn+k)))
			ids = append(ids, fmt.Sprintf("%sw%02d-%02d", prefix, c, k))
		}
		w.apps, w.ids = append(w.apps, apps), append(w.ids, ids)
	}
	return w
}

// Run writes until ctx ends and returns the latencies of the writes it completed and the count that failed.
func (w *RateWriter) Run(ctx context.Context) Latencies {
	interval := time.Duration(float64(time.Second) * float64(w.Conns) / w.Rate)
	start := time.Now()
	var mu sync.Mutex
	var all []time.Duration
	var failed int
	var wg sync.WaitGroup
	for c := range w.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad, k := 0, 0
			due := start.Add(interval * time.Duration(c) / time.Duration(w.Conns))
			for {
				if d := time.Until(due); d > 0 {
					select {
					case <-ctx.Done():
					case <-time.After(d):
					}
				}
				if ctx.Err() != nil {
					break
				}
				doc := k % w.Docs
				u, err := w.apps[c][doc].Next("x")
				if err == nil {
					// The write itself is not cut short by the end of the phase.
					wctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					_, err = w.Node.PostUpdate(wctx, w.ids[c][doc], u)
					cancel()
				}
				if err != nil {
					bad++
				} else {
					mine = append(mine, time.Since(due))
				}
				k++
				due = due.Add(interval)
			}
			mu.Lock()
			all = append(all, mine...)
			failed += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	return Summarize(all, failed)
}
