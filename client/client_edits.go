package client

import (
	"bytes"
	"fmt"
)

// onDocUpdate runs for every transaction of the document, with mu held (every access to the document goes
// through the client). Local edits are queued until acknowledged, written to the offline file, and sent when a
// connection is open.
func (c *Client) onDocUpdate(update []byte, from any) {
	remote := from == originRemote
	if from != originRemote && from != originRestored {
		update = bytes.Clone(update)
		c.queue.add(update)
		if c.offline != nil {
			if err := c.offline.append(update); err != nil {
				c.saveErr = err
				c.log.Warn("offline directory write failed; the edit is kept in memory only", "err", err)
			}
		}
		if k := c.conn.Load(); k != nil {
			k.enqueue(encodeSync(syncUpdate, update))
			c.queue.sentLatest()
		}
		c.updateStatusLocked(func(*Status) {})
	}
	if from == originRestored {
		return
	}
	for _, fn := range c.changes {
		fn(Change{Doc: c.doc, Update: update, Remote: remote})
	}
}

// restoreOffline loads the edits a previous run left in the offline directory: they are applied to the
// document and queued, to be sent with the first sync.
func (c *Client) restoreOffline() error {
	f, updates, err := openOffline(c.cfg.offlineDir, c.docID)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offline = f
	for i, u := range updates {
		if err := c.doc.ApplyUpdateWithOrigin(u, originRestored); err != nil {
			f.close()
			return fmt.Errorf("meridian/client: offline file %s, update %d: %w", f.path, i, err)
		}
		c.queue.add(u)
	}
	c.updateStatusLocked(func(*Status) {})
	if len(updates) > 0 {
		c.log.Info("resuming unsaved edits from the offline directory", "updates", len(updates))
	}
	return nil
}

// acked drops the updates the server stored and rewrites the offline file to match. Callers hold mu.
func (c *Client) ackedLocked(n, regions uint64) {
	dropped := c.queue.ack(n)
	if dropped > 0 && c.offline != nil {
		if err := c.offline.rewrite(c.queue.updates()); err != nil {
			c.log.Warn("offline directory rewrite failed", "err", err)
		}
	}
	c.updateStatusLocked(func(s *Status) { s.Regions = int(regions) })
}

// sendAwareness hands an awareness update to the open connection; while offline it is dropped, as the local
// state is sent again on connect. It takes no client lock, so awareness may be set from inside Edit or OnChange.
func (c *Client) sendAwareness(update []byte) {
	if k := c.conn.Load(); k != nil {
		k.enqueue(encodeAwarenessMessage(update))
	}
}
