package sim

// chaos injects this tick's client writes and faults.
func (c *cluster) chaos() error {
	for _, n := range c.nodes {
		if n.up && c.rng.IntN(4) == 0 {
			if err := c.write(n); err != nil {
				return err
			}
			if err := n.drain(c.now, c.net, false); err != nil {
				return err
			}
		}
	}
	switch r := c.rng.IntN(1000); {
	case r < 12:
		c.partition()
	case r < 22:
		c.net.cuts = map[[2]string]bool{}
		c.logf("partitions healed")
	case r < 30:
		c.crashOne()
	}
	for _, n := range c.nodes {
		if n.joined && !n.up && c.rng.IntN(25) == 0 {
			if err := c.restart(n); err != nil {
				return err
			}
		}
	}
	return nil
}

// partition cuts the cluster in one of several shapes (Jepsen's menu, at region level) or cuts
// random node pairs.
func (c *cluster) partition() {
	c.report.Partitions++
	c.net.cuts = map[[2]string]bool{}
	cutRegions := func(a, b int) {
		for _, x := range c.nodes {
			for _, y := range c.nodes {
				if x.region == a && y.region == b {
					c.net.cuts[pair(x.id, y.id)] = true
				}
			}
		}
	}
	switch shape := c.rng.IntN(4); shape {
	case 0: // one region alone
		r := c.rng.IntN(3)
		cutRegions(r, (r+1)%3)
		cutRegions(r, (r+2)%3)
		c.logf("partition: region %d isolated", r)
	case 1: // bridge: r talks to both others, which cannot talk to each other
		r := c.rng.IntN(3)
		cutRegions((r+1)%3, (r+2)%3)
		c.logf("partition: bridge through region %d", r)
	case 2: // every region alone
		cutRegions(0, 1)
		cutRegions(1, 2)
		cutRegions(0, 2)
		c.logf("partition: all regions apart")
	default: // random node pairs, inside regions too
		for _, x := range c.nodes {
			for _, y := range c.nodes {
				if x.id < y.id && c.rng.IntN(3) == 0 {
					c.net.cuts[pair(x.id, y.id)] = true
				}
			}
		}
		c.logf("partition: random pairs %v", len(c.net.cuts))
	}
}

// crashOne kills a random live node, sometimes between applying and persisting a Ready.
func (c *cluster) crashOne() {
	var up []*node
	for _, n := range c.nodes {
		if n.up {
			up = append(up, n)
		}
	}
	if len(up) == 0 {
		return
	}
	n := up[c.rng.IntN(len(up))]
	c.report.Crashes++
	if n.core.HasReady() && c.rng.IntN(2) == 0 {
		c.logf("%s crashes mid-Ready", n.id)
		_ = n.drain(c.now, c.net, true)
		return
	}
	c.logf("%s crashes", n.id)
	n.crash(c.net)
}

func (c *cluster) restart(n *node) error {
	if err := n.start(c.nodeSeed(n)); err != nil {
		return err
	}
	c.logf("%s restarts", n.id)
	return nil
}

// heal ends every fault: all nodes up (late joiners included), no cuts, no drops or duplicates.
func (c *cluster) heal() error {
	c.net.cuts = map[[2]string]bool{}
	c.net.faulty = false
	for _, n := range c.nodes {
		if !n.joined {
			n.joinAt = c.now
		} else if !n.up {
			if err := c.restart(n); err != nil {
				return err
			}
		}
	}
	c.logf("healed")
	return nil
}
