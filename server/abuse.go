package server

import (
	"sync"
	"time"
)

// abuseGuard enforces AbuseLimits: connections and messages per token subject and per remote address, over
// all of their connections on this node. Each key holds a connection count and a token bucket, created with
// the key's first connection and dropped with its last (the memory stays proportional to connected users).
type abuseGuard struct {
	limits AbuseLimits
	mu     sync.Mutex
	keys   map[string]*abuseEntry
}

type abuseEntry struct {
	conns  int
	bucket *tokenBucket // nil when the key kind has no message limit
}

// abuseTicket is one admitted connection: the keys it counts against, released when it ends.
type abuseTicket struct {
	g         *abuseGuard
	subject   string // "sub:..." key, "" when unlimited
	address   string // "addr:..." key
	subjectMs bool   // the subject key limits messages
	addressMs bool
}

func newAbuseGuard(l AbuseLimits) *abuseGuard {
	if l == (AbuseLimits{}) {
		return nil // no limit: no lock and no map on the hot path
	}
	return &abuseGuard{limits: l, keys: map[string]*abuseEntry{}}
}

var (
	refuseSubjectConns = refusal{CloseOverloaded, "subject_connection_limit", "too many connections for this user, retry later"}
	refuseAddressConns = refusal{CloseOverloaded, "address_connection_limit", "too many connections from this address, retry later"}
	refuseSubjectRate  = refusal{CloseRateLimited, "subject_rate_limited", "message rate limit of this user reached"}
	refuseAddressRate  = refusal{CloseRateLimited, "address_rate_limited", "message rate limit of this address reached"}
)

// admit counts a new connection of subject from address, or says which limit refuses it. A nil guard admits
// everything.
func (g *abuseGuard) admit(subject, address string) (*abuseTicket, *refusal) {
	if g == nil {
		return nil, nil
	}
	t := &abuseTicket{g: g}
	l := g.limits
	if l.ConnectionsPerSubject > 0 || l.MessagesPerSubject > 0 {
		t.subject, t.subjectMs = "sub:"+subject, l.MessagesPerSubject > 0
	}
	if l.ConnectionsPerAddress > 0 || l.MessagesPerAddress > 0 {
		t.address, t.addressMs = "addr:"+address, l.MessagesPerAddress > 0
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if e := g.keys[t.subject]; t.subject != "" && e != nil && l.ConnectionsPerSubject > 0 && e.conns >= l.ConnectionsPerSubject {
		return nil, &refuseSubjectConns
	}
	if e := g.keys[t.address]; t.address != "" && e != nil && l.ConnectionsPerAddress > 0 && e.conns >= l.ConnectionsPerAddress {
		return nil, &refuseAddressConns
	}
	now := time.Now()
	g.join(t.subject, l.MessagesPerSubject, now)
	g.join(t.address, l.MessagesPerAddress, now)
	return t, nil
}

func (g *abuseGuard) join(key string, rate float64, now time.Time) {
	if key == "" {
		return
	}
	e := g.keys[key]
	if e == nil {
		e = &abuseEntry{}
		if rate > 0 {
			e.bucket = newTokenBucket(rate, max(1, int(2*rate)), now)
		}
		g.keys[key] = e
	}
	e.conns++
}

func (g *abuseGuard) leave(key string) {
	if e := g.keys[key]; key != "" && e != nil {
		if e.conns--; e.conns <= 0 {
			delete(g.keys, key)
		}
	}
}

// release gives back the connection's place. Safe on a nil ticket.
func (t *abuseTicket) release() {
	if t == nil {
		return
	}
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	t.g.leave(t.subject)
	t.g.leave(t.address)
}

// allowMessage takes one message from the subject's and the address's shared budgets, or says which is
// exhausted. Safe on a nil ticket (no limits).
func (t *abuseTicket) allowMessage(now time.Time) *refusal {
	if t == nil || (!t.subjectMs && !t.addressMs) {
		return nil
	}
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	if t.subjectMs && !t.g.keys[t.subject].bucket.allow(now) {
		return &refuseSubjectRate
	}
	if t.addressMs && !t.g.keys[t.address].bucket.allow(now) {
		return &refuseAddressRate
	}
	return nil
}
