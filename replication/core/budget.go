package core

// repairingTicks is how long after its last repair message a node still counts as repairing.
const repairingTicks = 10

// SetRepairBudget changes the repair budgets (Config.RepairDocsPerTick and RepairBytesPerTick) from the
// next refill on. The driver adapts them to how much the node has to spare (replication/budget.go);
// values below 1 are raised to 1, so a repair always progresses.
func (n *Node) SetRepairBudget(docsPerTick, bytesPerTick int) {
	n.cfg.RepairDocsPerTick = max(docsPerTick, 1)
	n.cfg.RepairBytesPerTick = max(bytesPerTick, 1)
}

// Repairing reports whether repair work is under way or waiting: an exchange in its sync phase, repair
// messages queued behind the bytes budget or sent within the last second's worth of ticks (serving a
// peer's repair or bootstrap counts: its reads and sends are this node's work), or a bootstrap not
// finished.
func (n *Node) Repairing() bool {
	if !n.ready || len(n.repairOut) > 0 || (n.repairSent && n.tick-n.lastRepairSent <= repairingTicks) {
		return true
	}
	for _, x := range n.exchanges {
		if x.phase == phaseSync {
			return true
		}
	}
	return false
}
