package client

import (
	"math/rand/v2"
	"time"
)

// backoff is capped exponential backoff with full jitter: attempt n waits a uniform random time in
// [min/2, min·2ⁿ] (capped at max), so that clients cut off together by a server restart do not return in
// lockstep.
type backoff struct {
	min, max time.Duration
	rand     func(n int64) int64
}

func (b backoff) delay(attempt int) time.Duration {
	ceiling := b.min
	for i := 1; i < attempt && ceiling < b.max; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, b.max)
	floor := b.min / 2
	if ceiling <= floor {
		return ceiling
	}
	r := b.rand
	if r == nil {
		r = rand.Int64N
	}
	return floor + time.Duration(r(int64(ceiling-floor)+1))
}
