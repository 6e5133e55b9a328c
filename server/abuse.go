package server

import (
	"sync"
	"time"
)

// abuseGuard enforces AbuseLimits: connections and messages per token subject and per remote address, over
// all of their connections on this node. Each key holds a connection count and a token bucket, created with
// the key's first connection and dropped with its last (the memory stays proportional to connected users).
//
// HTTP writes (allowRequest) take from the same message budgets, so a client cannot escape its WebSocket
// limit by posting updates instead. A key seen only over HTTP has no connection to drop it with: it stays
// while its bucket is refilling, and sweepIdle drops it once the bucket is full again (it then holds no state).
type abuseGuard struct {
	limits    AbuseLimits
	mu        sync.Mutex
	keys      map[string]*abuseEntry
	requests  int       // HTTP writes since the last sweep
	lastSweep time.Time // of sweepIdle
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

// How often idle HTTP-only keys are swept: after this many requests or this long, whichever comes first.
const (
	sweepEveryRequests = 1024
	sweepEvery         = time.Minute
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

// requestLimit is an HTTP write refused by an abuse limit: the refusal (its metric label and message) and when
// the budget will allow one more.
type requestLimit struct {
	refusal    *refusal
	retryAfter time.Duration
}

// allowRequest takes one message from the budgets of subject and of address for an HTTP write, or says which
// is exhausted and for how long. subject "" (not authenticated yet) checks the address only. A nil guard, or
// limits without message rates, allow everything.
func (g *abuseGuard) allowRequest(subject, address string, now time.Time) *requestLimit {
	if g == nil || (g.limits.MessagesPerSubject <= 0 && g.limits.MessagesPerAddress <= 0) {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.requests++; g.requests >= sweepEveryRequests || now.Sub(g.lastSweep) >= sweepEvery {
		g.sweepIdle(now)
	}
	if address != "" && g.limits.MessagesPerAddress > 0 {
		if b := g.requestBucket("addr:"+address, g.limits.MessagesPerAddress, now); !b.allow(now) {
			return &requestLimit{&refuseAddressRate, b.wait()}
		}
	}
	if subject != "" && g.limits.MessagesPerSubject > 0 {
		if b := g.requestBucket("sub:"+subject, g.limits.MessagesPerSubject, now); !b.allow(now) {
			return &requestLimit{&refuseSubjectRate, b.wait()}
		}
	}
	return nil
}

// requestBucket is key's bucket, created (with no connection) when the key has none yet.
func (g *abuseGuard) requestBucket(key string, rate float64, now time.Time) *tokenBucket {
	e := g.keys[key]
	if e == nil {
		e = &abuseEntry{}
		g.keys[key] = e
	}
	if e.bucket == nil {
		e.bucket = newTokenBucket(rate, max(1, int(2*rate)), now)
	}
	return e.bucket
}

// sweepIdle drops the keys without connections whose buckets have refilled: recreated, they would be the same.
func (g *abuseGuard) sweepIdle(now time.Time) {
	for key, e := range g.keys {
		if e.conns <= 0 && (e.bucket == nil || e.bucket.fullAt(now)) {
			delete(g.keys, key)
		}
	}
	g.requests, g.lastSweep = 0, now
}
