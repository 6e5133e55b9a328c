package sim

import (
	"fmt"
	"math/rand/v2"
)

// Config chooses one simulation run. Zero fields take defaults.
type Config struct {
	Seed       uint64
	ChaosTicks int // ticks of writes and faults; default 240
	HealTicks  int // ticks allowed after healing to converge; default 900
	// QuietTicks, when set, runs that many ticks without writes or faults after convergence and
	// checks that anti-entropy repairs nothing (replication.md §5 scenario 13).
	QuietTicks int
	// Logf, when set, receives a line per fault and phase (for -v replays).
	Logf func(format string, args ...any)
}

// Report is the outcome of one run.
type Report struct {
	Seed         uint64
	Nodes        int
	Writes       int // acknowledged client writes (unique map keys)
	Lost         int // acknowledged writes missing from some replica
	Unexpected   int // map keys present that no client wrote
	Deletes      int
	Crashes      int
	Partitions   int
	HealTicks    int // ticks from heal to convergence
	Messages     int
	MessageBytes int
	// Summed core counters of the final incarnations: which paths the seed exercised.
	QueueOverflows, GapRefills, RepairsApplied, ExchangesClean uint64
	// Quiescence (with QuietTicks): repairs requested and bytes sent while idle.
	QuietRepairs, QuietBytes, QuietExchanges uint64
	Err                                      error
}

type cluster struct {
	cfg    Config
	rng    *rand.Rand
	nodes  []*node
	net    *network
	now    int
	work   workload
	report Report
}

func (c *cluster) logf(format string, args ...any) {
	if c.cfg.Logf != nil {
		c.cfg.Logf("t=%d "+format, append([]any{c.now}, args...)...)
	}
}

// Run simulates one seed and reports what happened; Report.Err describes the first broken invariant.
func Run(cfg Config) Report {
	if cfg.ChaosTicks == 0 {
		cfg.ChaosTicks = 240
	}
	if cfg.HealTicks == 0 {
		cfg.HealTicks = 900
	}
	c := &cluster{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x51)), report: Report{Seed: cfg.Seed}}
	c.net = &network{rng: rand.New(rand.NewPCG(cfg.Seed, 0x52)), cuts: map[[2]string]bool{}, faulty: true,
		inflight: map[int][]flight{}}
	c.work = newWorkload()
	c.report.Err = c.run()
	for _, n := range c.nodes {
		if n.up {
			st := n.core.Status().Stats
			c.report.QueueOverflows += st.QueueOverflows
			c.report.GapRefills += st.GapRefills
			c.report.RepairsApplied += st.RepairsApplied
			c.report.ExchangesClean += st.ExchangesClean
		}
	}
	c.report.Messages, c.report.MessageBytes = c.net.sent, c.net.bytes
	return c.report
}

func (c *cluster) run() error {
	c.build()
	for c.now = 0; c.now < c.cfg.ChaosTicks; c.now++ {
		if err := c.chaos(); err != nil {
			return err
		}
		if err := c.step(); err != nil {
			return err
		}
	}
	if err := c.heal(); err != nil {
		return err
	}
	healedAt := c.now
	for ; c.now < healedAt+c.cfg.HealTicks; c.now++ {
		if err := c.step(); err != nil {
			return err
		}
		if (c.now-healedAt)%10 == 0 && c.converged() == nil {
			c.report.HealTicks = c.now - healedAt
			if err := c.verify(); err != nil {
				return err
			}
			return c.quiet()
		}
	}
	if err := c.converged(); err != nil {
		return fmt.Errorf("not converged %d ticks after healing: %w", c.cfg.HealTicks, err)
	}
	return c.verify()
}

// build makes 3 regions of 1 or 2 nodes; some nodes join late and empty.
func (c *cluster) build() {
	for r := 0; r < 3; r++ {
		count := 1 + c.rng.IntN(2)
		for i := 0; i < count; i++ {
			n := &node{id: fmt.Sprintf("r%d/n%d", r, i), region: r, index: len(c.nodes),
				records: map[string][]byte{}}
			n.store = newStore(uint64(n.index + 1))
			if len(c.nodes) > 0 && c.rng.IntN(4) == 0 {
				n.empty, n.joinAt = true, 1+c.rng.IntN(c.cfg.ChaosTicks)
			}
			c.nodes = append(c.nodes, n)
		}
	}
	c.report.Nodes = len(c.nodes)
}

func (c *cluster) nodeSeed(n *node) uint64 {
	return c.cfg.Seed*1000 + uint64(n.index)*31 + uint64(c.now)
}

// step advances the cluster by one tick: joins, membership, deliveries, core ticks, Ready drains.
func (c *cluster) step() error {
	for _, n := range c.nodes {
		if !n.joined && n.joinAt == c.now {
			if err := n.start(c.nodeSeed(n)); err != nil {
				return err
			}
			n.joined = true
			c.logf("%s joins (empty=%v)", n.id, n.empty)
		}
	}
	c.updateViews()
	for _, f := range c.net.due(c.now) {
		to := c.byID(f.to)
		if to == nil || !to.up || c.net.cut(f.from, f.to) {
			continue
		}
		if err := to.deliver(f); err != nil {
			return err
		}
		if err := to.drain(c.now, c.net, false); err != nil {
			return err
		}
	}
	for _, n := range c.nodes {
		if !n.up {
			continue
		}
		n.core.Tick()
		if err := n.drain(c.now, c.net, false); err != nil {
			return err
		}
	}
	return nil
}

// updateViews plays the membership layer: each live node learns which peers are reachable.
func (c *cluster) updateViews() {
	for _, a := range c.nodes {
		if !a.up {
			continue
		}
		for _, b := range c.nodes {
			if a == b || !b.joined {
				continue
			}
			reach := b.up && !c.net.cut(a.id, b.id)
			if reach != a.view[b.id] {
				a.view[b.id] = reach
				if reach {
					a.core.PeerUp(b.id)
				} else {
					a.core.PeerDown(b.id)
				}
			}
		}
	}
}

func (c *cluster) byID(id string) *node {
	for _, n := range c.nodes {
		if n.id == id {
			return n
		}
	}
	return nil
}

// settleTicks run between convergence and the quiet measurement (see quiet).
const settleTicks = 30

// quiet runs the converged cluster without writes and measures what anti-entropy does when idle.
func (c *cluster) quiet() error {
	if c.cfg.QuietTicks == 0 {
		return nil
	}
	sum := func() (repairs, exchanges uint64) {
		for _, n := range c.nodes {
			st := n.core.Status().Stats
			repairs += st.RepairsRequested + st.DocsDiffering
			exchanges += st.ExchangesStarted
		}
		return repairs, exchanges
	}
	// Let exchanges that began before convergence finish first (they time out within the core's
	// default 20 ticks): one may compare a key list computed before the last repair landed and
	// re-request a document that no longer differs. Idle means exchanges started while idle.
	for end := c.now + settleTicks; c.now < end; c.now++ {
		if err := c.step(); err != nil {
			return err
		}
	}
	r0, x0 := sum()
	b0 := c.net.bytes
	for end := c.now + c.cfg.QuietTicks; c.now < end; c.now++ {
		if err := c.step(); err != nil {
			return err
		}
	}
	r1, x1 := sum()
	c.report.QuietRepairs, c.report.QuietExchanges, c.report.QuietBytes = r1-r0, x1-x0, uint64(c.net.bytes-b0)
	if c.report.QuietRepairs != 0 {
		return fmt.Errorf("idle cluster: %d repairs in %d quiet ticks", c.report.QuietRepairs, c.cfg.QuietTicks)
	}
	return c.converged()
}
