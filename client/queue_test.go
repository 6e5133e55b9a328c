package client

import (
	"testing"
	"time"
)

func TestQueueAckCoverage(t *testing.T) {
	var q queue
	q.add([]byte("offline-1"))
	q.add([]byte("offline-2"))
	q.newConnection()
	q.add([]byte("early")) // made after the socket opened, before our step 2
	q.sentLatest()         // message 1
	q.sentStep2()          // message 2 covers the offline edits
	q.add([]byte("late"))
	q.sentLatest() // message 3
	if n := q.ack(1); n != 1 || q.len() != 3 {
		t.Fatalf("ack 1 dropped %d, %d left; want only the early edit dropped", n, q.len())
	}
	if n := q.ack(2); n != 2 || q.len() != 1 {
		t.Fatalf("ack 2 dropped %d, %d left; want the offline edits dropped", n, q.len())
	}
	q.newConnection() // the late edit's ack never came: it is carried by the next step 2
	if n := q.ack(5); n != 0 {
		t.Fatalf("an ack on a new connection dropped %d updates it does not cover", n)
	}
	q.sentStep2()
	if n := q.ack(1); n != 1 || q.len() != 0 {
		t.Fatalf("the new step 2's ack dropped %d, %d left", n, q.len())
	}
}

func TestBackoffGrowsWithJitterWithinBounds(t *testing.T) {
	b := backoff{min: 100 * time.Millisecond, max: time.Second}
	for attempt := 1; attempt <= 10; attempt++ {
		ceiling := min(b.min<<(attempt-1), b.max)
		for range 50 {
			d := b.delay(attempt)
			if d < b.min/2 || d > ceiling {
				t.Fatalf("attempt %d: delay %v outside [%v, %v]", attempt, d, b.min/2, ceiling)
			}
		}
	}
	top := backoff{min: b.min, max: b.max, rand: func(n int64) int64 { return n - 1 }}
	if got := top.delay(20); got != b.max {
		t.Fatalf("capped delay %v, want %v", got, b.max)
	}
}

func TestTokenExpiryAndRefreshDelay(t *testing.T) {
	// header {"alg":"HS256"}, payload {"exp":1800000000}
	tok := "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE4MDAwMDAwMDB9.sig"
	exp, ok := tokenExpiry(tok)
	if !ok || exp.Unix() != 1800000000 {
		t.Fatalf("expiry %v %v", exp, ok)
	}
	for _, bad := range []string{"", "opaque-token", "a.b.c", "a.eyJzdWIiOiJ4In0.c"} {
		if _, ok := tokenExpiry(bad); ok {
			t.Fatalf("%q: found an expiry", bad)
		}
	}
	now := exp.Add(-time.Hour)
	if d := refreshDelay(now, exp, 30*time.Second); d != time.Hour-30*time.Second {
		t.Fatalf("long-lived token refreshed after %v", d)
	}
	if d := refreshDelay(exp.Add(-10*time.Second), exp, 30*time.Second); d != 5*time.Second {
		t.Fatalf("short-lived token refreshed after %v, want half its life", d)
	}
	if d := refreshDelay(exp.Add(time.Second), exp, 0); d != 0 {
		t.Fatalf("expired token refreshed after %v", d)
	}
}
