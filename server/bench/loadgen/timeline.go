package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// writeTimeline writes the window's latencies bucket by bucket of send time (-timeline): for each bucket the
// deliveries, p50, p99 and max. It shows whether a step's p99 is a broad tail or a few slow spells, and when
// those came.
func (b *latencyBook) writeTimeline(w io.Writer, label string, bucket time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	from := b.windowFrom.Load()
	byBucket := map[int64][]time.Duration{}
	for i, lat := range b.samples {
		k := (b.sentOf[i] - from) / int64(bucket)
		byBucket[k] = append(byBucket[k], lat)
	}
	keys := make([]int64, 0, len(byBucket))
	for k := range byBucket {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		s := byBucket[k]
		slices.Sort(s)
		at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
		if _, err := fmt.Fprintf(w, "%s\t%d\t%d\t%.2f\t%.2f\t%.2f\n", label, time.Duration(k)*bucket/time.Millisecond,
			len(s), millis(at(0.5)), millis(at(0.99)), millis(s[len(s)-1])); err != nil {
			return err
		}
	}
	return nil
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
