package server

import "github.com/meridian-sync/meridian/server/store"

// durableAction runs once its write (and every write queued before it) is durable. Actions with no write
// still wait for the writes ahead of them: that is how a step 2 answer or an ack never runs ahead of the
// disk.
type durableAction struct {
	write *store.Write
	run   func(err error)
}

// durableQueue is the room's FIFO of work waiting for the group commit.
type durableQueue struct {
	items []durableAction
	fail  func(error) // called once with the first storage error
}

func (q *durableQueue) len() int { return len(q.items) }

func (q *durableQueue) push(w *store.Write, run func(error)) {
	q.items = append(q.items, durableAction{write: w, run: run})
}

// headDone is the channel to wait on for progress, nil (never ready) when the head is not a pending write.
func (q *durableQueue) headDone() <-chan struct{} {
	if len(q.items) == 0 || q.items[0].write == nil {
		return nil
	}
	return q.items[0].write.Done()
}

// flush runs every action at the head whose write has completed.
func (q *durableQueue) flush() {
	for len(q.items) > 0 {
		head := q.items[0]
		var err error
		if head.write != nil {
			select {
			case <-head.write.Done():
				err = head.write.Err()
			default:
				return
			}
		}
		q.items = q.items[1:]
		if err != nil && q.fail != nil {
			q.fail(err)
		}
		head.run(err)
	}
}
