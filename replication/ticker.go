package replication

import "time"

// newTicker is the driver's only clock: the core itself counts ticks.
func newTicker(d time.Duration) *time.Ticker { return time.NewTicker(d) }
