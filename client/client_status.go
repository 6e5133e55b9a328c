package client

import "context"

// Status returns the client's current status.
func (c *Client) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// OnStatus calls fn with the new status after every change, in order, on a goroutine of the client's (so fn may
// call the Client's methods). Changes in quick succession may be coalesced: fn always sees the latest status.
func (c *Client) OnStatus(fn func(Status)) (cancel func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := c.nextID
	c.nextID++
	c.watchers[id] = fn
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.watchers, id)
	}
}

// WaitFor blocks until cond holds for the status, the client closes (ErrClosed, or why it stopped) or ctx ends.
func (c *Client) WaitFor(ctx context.Context, cond func(Status) bool) error {
	for {
		c.mu.Lock()
		st, changed := c.status, c.changed
		c.mu.Unlock()
		if cond(st) {
			return nil
		}
		if st.State == StateClosed {
			if st.Err != nil {
				return st.Err
			}
			return ErrClosed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitSynced waits until the document matches the server's.
func (c *Client) WaitSynced(ctx context.Context) error {
	return c.WaitFor(ctx, Status.Synced)
}

// WaitSaved waits until every local edit made so far is durably stored by the server.
func (c *Client) WaitSaved(ctx context.Context) error {
	return c.WaitFor(ctx, func(s Status) bool { return s.State == StateSaved })
}

// updateStatusLocked applies edit to the status and wakes waiters and the notifier. Callers hold mu.
func (c *Client) updateStatusLocked(edit func(*Status)) {
	edit(&c.status)
	c.status.Pending = c.queue.len()
	if c.status.State == StateSynced && c.status.Pending == 0 {
		c.status.State = StateSaved
	}
	if c.status.State == StateSaved && c.status.Pending > 0 {
		c.status.State = StateSynced
	}
	// Always wake: Status holds an error, which cannot be compared safely, and a spurious wake-up is cheap.
	c.statusVersion++
	close(c.changed)
	c.changed = make(chan struct{})
}

// notifyLoop delivers status changes to OnStatus callbacks, in order and without holding mu, until the client
// has closed and its final status was delivered.
func (c *Client) notifyLoop() {
	var delivered uint64
	for {
		c.mu.Lock()
		st, changed, version := c.status, c.changed, c.statusVersion
		fns := make([]func(Status), 0, len(c.watchers))
		for _, fn := range c.watchers {
			fns = append(fns, fn)
		}
		c.mu.Unlock()
		if version != delivered {
			for _, fn := range fns {
				fn(st)
			}
			delivered = version
		}
		if st.State == StateClosed {
			return
		}
		<-changed
	}
}
