package sim

import (
	"math/rand/v2"

	"github.com/meridian-sync/meridian/replication/wire"
)

// network delivers messages after a random delay (so they reorder), drops and duplicates some, and
// drops everything crossing a cut. Messages go through wire.Encode/Decode so the simulation also
// exercises the codec.
type network struct {
	rng      *rand.Rand
	inflight map[int][]flight // by delivery tick, in send order
	cuts     map[[2]string]bool
	faulty   bool // drops/duplicates on (during chaos) or off (healed)
	sent     int
	bytes    int
}

type flight struct {
	from  string
	to    string
	bytes []byte
}

func pair(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

func (nw *network) cut(a, b string) bool { return nw.cuts[pair(a, b)] }

func (nw *network) send(now int, m wire.Message) {
	nw.sent++
	b := wire.Encode(m)
	nw.bytes += len(b)
	if nw.cut(m.From, m.To) {
		return
	}
	copies := 1
	if nw.faulty {
		switch r := nw.rng.IntN(100); {
		case r < 8:
			copies = 0
		case r < 13:
			copies = 2
		}
	}
	for i := 0; i < copies; i++ {
		delay := 1 + nw.rng.IntN(3)
		if nw.faulty && nw.rng.IntN(5) == 0 {
			delay += nw.rng.IntN(15)
		}
		at := now + delay
		nw.inflight[at] = append(nw.inflight[at], flight{from: m.From, to: m.To, bytes: b})
	}
}

// due removes and returns the messages to deliver at tick now, in the order they were sent. The
// cluster steps every tick, so nothing is ever due earlier than now and left behind.
func (nw *network) due(now int) []flight {
	out := nw.inflight[now]
	delete(nw.inflight, now)
	return out
}

// dropTo forgets messages to a crashed node (its sockets are gone).
func (nw *network) dropTo(id string) {
	for at, fs := range nw.inflight {
		keep := fs[:0]
		for _, f := range fs {
			if f.to != id {
				keep = append(keep, f)
			}
		}
		nw.inflight[at] = keep
	}
}
