package main

import (
	"strings"
	"testing"
	"time"
)

// The timeline buckets deliveries by when their update was sent, so a slow spell shows up in its own rows.
func TestWriteTimeline(t *testing.T) {
	b := newLatencyBook(2)
	b.windowFrom.Store(1_000_000_000)
	b.windowTo.Store(1 << 62)
	add := func(sentMs int64, lat time.Duration) {
		b.samples = append(b.samples, lat)
		b.sentOf = append(b.sentOf, 1_000_000_000+sentMs*int64(time.Millisecond))
	}
	for range 99 {
		add(10, 2*time.Millisecond) // bucket 0: quick
	}
	add(20, 3*time.Millisecond)
	for range 10 {
		add(250, 40*time.Millisecond) // bucket 200 ms: a stall
	}
	var out strings.Builder
	if err := b.writeTimeline(&out, "meridian\t5", 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	want := "meridian\t5\t0\t100\t2.00\t3.00\t3.00\n" +
		"meridian\t5\t200\t10\t40.00\t40.00\t40.00\n"
	if out.String() != want {
		t.Fatalf("timeline:\n%s\nwant:\n%s", out.String(), want)
	}
}
