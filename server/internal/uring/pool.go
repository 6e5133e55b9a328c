package uring

import "sync"

// Pool lends rings to goroutines that each need one for the length of a batch.
type Pool struct {
	mu     sync.Mutex
	free   []*Ring
	closed bool
}

// NewPool sets up to n rings of the given size. It returns nil and the reason when this system gives no usable
// ring at all; callers then write each buffer with write(2). When only some can be had (an old kernel counts
// rings against a small RLIMIT_MEMLOCK), the pool lends those.
func NewPool(n int, entries uint32) (*Pool, error) {
	p := &Pool{}
	for range max(n, 1) {
		r, err := NewRing(entries)
		if err != nil {
			if len(p.free) == 0 {
				return nil, err
			}
			break
		}
		p.free = append(p.free, r)
	}
	return p, nil
}

// Get lends a ring, or returns nil when every ring is lent (or p is nil): the caller does without.
func (p *Pool) Get() *Ring {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) == 0 {
		return nil
	}
	r := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return r
}

// Put returns a lent ring. A ring that failed is closed instead, and the pool lends one fewer from then on;
// so is a ring returned after Close.
func (p *Pool) Put(r *Ring) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.broken || p.closed {
		_ = r.Close()
		return
	}
	p.free = append(p.free, r)
}

// Close releases the rings not lent out; the others are released as they come back.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, r := range p.free {
		_ = r.Close()
	}
	p.free = nil
}
