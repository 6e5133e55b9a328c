package membership

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"time"

	"github.com/hashicorp/serf/serf"
)

// Liveness and rejoin. Serf retries a failed member every ReconnectInterval until ReconnectTimeout,
// then reaps it: both sides of a long partition forget each other, and nothing in serf brings them
// back. JoinLoop does: it remembers the gossip address of every member it has seen and, when one
// vanished from the member list (reaped) without leaving gracefully, joins it again; a node with no
// alive member joins through the configured --join addresses. So a node away for longer than the
// reconnect timeout (even the cluster's first node, which has no --join) rejoins by itself.
//
// It also joins members serf has as failed, every `every`: in the network-namespace test serf's own
// random reconnects left a healed member failed for 30 s and more (why was not pinned down); a
// direct join exchanges full state both ways, so the accused member learns it was declared dead and
// refutes, and in that test both sides listed each other alive again within seconds.

// Defaults for the liveness settings of SerfConfig.
const (
	DefaultReconnectTimeout = 24 * time.Hour
	// DefaultReconnectInterval is much shorter than serf's 30 s: after a partition heals, members
	// marked failed are contacted again within seconds, not half a minute. Each attempt is one TCP
	// push-pull to one failed member.
	DefaultReconnectInterval = 3 * time.Second
)

// applyLiveness sets serf's reconnect and reap timings from cfg.
func applyLiveness(sc *serf.Config, cfg SerfConfig) {
	sc.ReconnectTimeout = cfg.ReconnectTimeout
	if sc.ReconnectTimeout <= 0 {
		sc.ReconnectTimeout = DefaultReconnectTimeout
	}
	sc.ReconnectInterval = cfg.ReconnectInterval
	if sc.ReconnectInterval <= 0 {
		sc.ReconnectInterval = DefaultReconnectInterval
	}
	// The reaper runs every ReapInterval (serf: 15 s); a short reconnect timeout (tests) needs it to
	// run more often or reaping would lag the timeout by up to 15 s.
	sc.ReapInterval = min(sc.ReapInterval, max(sc.ReconnectTimeout/4, 100*time.Millisecond))
}

// JoinLoop keeps this node in the cluster until ctx ends: it joins through the configured addresses
// while no member is alive, and rejoins members that were reaped (see above). It checks at least
// every second; failed join attempts are retried every `every`.
func (s *Serf) JoinLoop(ctx context.Context, every time.Duration) {
	poll := min(every, time.Second)
	known := map[string]string{} // member name → gossip address, for members not known to have left
	var lastAttempt time.Time
	for {
		targets := s.rejoinTargets(known)
		if len(targets) > 0 && time.Since(lastAttempt) >= every {
			lastAttempt = time.Now()
			if n, err := s.serf.Join(targets, true); err != nil {
				s.cfg.Logger.Info("join failed, retrying", "addrs", targets, "err", err)
			} else {
				s.cfg.Logger.Info("joined cluster", "addrs", targets, "contacted", n)
				lastAttempt = time.Time{} // a success: look again at once at the next poll
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
}

// rejoinTargets updates known from serf's member list and returns the addresses to join now: the
// --join addresses when no member is alive, the last address of every known member that serf no
// longer lists at all (reaped after the reconnect timeout), and the members serf has as failed.
func (s *Serf) rejoinTargets(known map[string]string) []string {
	listed := map[string]bool{}
	alive := 0
	var failed []string
	for _, m := range s.serf.Members() {
		if m.Name == s.cfg.Self.ID {
			continue
		}
		if _, err := DecodeTags(s.cfg.Cluster, m.Tags); err != nil {
			continue
		}
		listed[m.Name] = true
		switch m.Status {
		case serf.StatusAlive:
			alive++
			known[m.Name] = net.JoinHostPort(m.Addr.String(), strconv.Itoa(int(m.Port)))
		case serf.StatusLeft, serf.StatusLeaving:
			delete(known, m.Name) // a graceful leave is final: do not chase it
		case serf.StatusFailed:
			// Serf retries failed members itself, at random, one per ReconnectInterval; after a
			// partition heals that was seen to take tens of seconds. Joining them directly makes
			// each side hear that the other declared it dead, so it refutes and is alive again.
			failed = append(failed, net.JoinHostPort(m.Addr.String(), strconv.Itoa(int(m.Port))))
		}
	}
	var targets []string
	if alive == 0 {
		targets = append(targets, s.cfg.Join...)
	}
	for name, addr := range known {
		if !listed[name] {
			targets = append(targets, addr)
		}
	}
	targets = append(targets, failed...)
	sort.Strings(targets)
	return dedupe(targets)
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, v := range sorted {
		if i == 0 || v != sorted[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// MemberStatus is what gossip says of one member, alive or not, for diagnostics.
type MemberStatus struct {
	ID     string
	Status string // alive, leaving, left, failed
	Addr   string
}

// Statuses lists every member serf knows (failed and left ones included), sorted by ID.
func (s *Serf) Statuses() []MemberStatus {
	var out []MemberStatus
	for _, m := range s.serf.Members() {
		if m.Name == s.cfg.Self.ID {
			continue
		}
		out = append(out, MemberStatus{ID: m.Name, Status: m.Status.String(),
			Addr: fmt.Sprintf("%s:%d", m.Addr, m.Port)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Known lists every member of our cluster serf knows, alive or failed (not those that left), other
// than this node: the replication driver keeps streams to failed members so replication resumes
// as soon as a path works, before gossip lists them alive again.
func (s *Serf) Known() []Member {
	var out []Member
	for _, m := range s.serf.Members() {
		if m.Name == s.cfg.Self.ID || m.Status == serf.StatusLeft || m.Status == serf.StatusLeaving {
			continue
		}
		if mem, err := DecodeTags(s.cfg.Cluster, m.Tags); err == nil {
			out = append(out, mem)
		}
	}
	sortMembers(out)
	return out
}
