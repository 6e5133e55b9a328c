package server

import (
	"math"
	"time"
)

// tokenBucket limits a message rate. A connection's own bucket is owned by its reader goroutine; the shared
// buckets of abuseGuard are used under its lock.
type tokenBucket struct {
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newTokenBucket(rate float64, burst int, now time.Time) *tokenBucket {
	return &tokenBucket{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// allow takes one token if there is one.
func (b *tokenBucket) allow(now time.Time) bool {
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// wait is how long until the bucket holds one token again (at least a second, as HTTP's Retry-After counts
// whole seconds), as of the last allow.
func (b *tokenBucket) wait() time.Duration {
	missing := 1 - b.tokens
	if missing <= 0 || b.rate <= 0 {
		return time.Second
	}
	return max(time.Second, time.Duration(math.Ceil(missing/b.rate))*time.Second)
}

// fullAt reports whether the bucket will have refilled to its burst by now.
func (b *tokenBucket) fullAt(now time.Time) bool {
	return b.tokens+now.Sub(b.last).Seconds()*b.rate >= b.burst
}
