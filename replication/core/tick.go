package core

// Tick advances the node's logical clock by one. The driver calls it at a fixed interval (for example
// every 100 ms); every timeout and period in Config counts ticks, so the core never reads a clock.
func (n *Node) Tick() {
	n.tick++
	n.expireExchanges()
	n.refillRepairBudgets()
	n.retransmit()
	n.checkBootstrap()
	n.scheduleExchanges()
	n.heartbeat()
}

func (n *Node) expireExchanges() {
	for _, xid := range sortedUint64Keys(n.exchanges) {
		x := n.exchanges[xid]
		switch {
		case n.tick-x.lastActivity > uint64(n.cfg.ExchangeTimeoutTicks):
			n.stats.ExchangesTimedOut++
			n.dropExchange(x)
			n.wantExchange[x.peer] = true
		case x.phase == phasePause && n.tick >= x.resumeAt:
			x.phase = phaseRootsConfirm
			n.send(wireRootsReq(x, n.tree.Top()))
		}
	}
}

// scheduleExchanges starts owed exchanges first (peers that came up, overflowed, or whose last
// exchange was cut short), then a periodic one with a random live peer, within the concurrency bound.
func (n *Node) scheduleExchanges() {
	for _, id := range sortedKeys(n.deferred) {
		if n.tick >= n.deferred[id] {
			delete(n.deferred, id)
			n.wantExchange[id] = true // the peer did not start one: do it ourselves
		}
	}
	var live []string
	for _, id := range n.reachablePeers() {
		if n.ready && n.peers[id].bootstrapping {
			continue // it pulls what it lacks itself (PeerBootstrapping); what we owe it waits until it is ready
		}
		live = append(live, id)
	}
	for _, id := range live {
		if !n.ready && !n.synced[id] {
			n.wantExchange[id] = true
		}
	}
	for _, id := range live {
		if len(n.exchanges) >= n.cfg.MaxConcurrentExchanges {
			return
		}
		if n.wantExchange[id] && !n.exchangingWith(id) {
			n.startExchange(id)
		}
	}
	if n.tick < n.nextPeriodic || len(live) == 0 || len(n.exchanges) >= n.cfg.MaxConcurrentExchanges {
		return
	}
	interval := uint64(n.cfg.ExchangeIntervalTicks)
	n.nextPeriodic = n.tick + interval + n.rng.Uint64N(interval/2+1)
	id := live[n.rng.IntN(len(live))]
	if !n.exchangingWith(id) {
		n.startExchange(id)
	}
}

// checkBootstrap makes a bootstrapping node ready once an exchange with every live peer came back
// clean, or once it has seen no live peer for BootstrapAloneTicks (it is the first node).
func (n *Node) checkBootstrap() {
	if n.ready {
		return
	}
	live := n.livePeers()
	if len(live) == 0 {
		if n.tick-n.aloneSince >= uint64(n.cfg.BootstrapAloneTicks) {
			n.becomeReady()
		}
		return
	}
	n.aloneSince = n.tick
	for _, id := range live {
		if !n.synced[id] {
			return
		}
	}
	n.becomeReady()
}

func (n *Node) becomeReady() {
	n.ready = true
	n.persist(keyReady, []byte{})
	if n.interrupted || n.cfg.Bootstrap {
		n.persist(keyBootstrapping, nil) // in the same batch as ready
		n.interrupted = false
	}
}
