package client

// queue holds the local updates the server has not yet acknowledged as durable, in the order they were made.
//
// The ack extension counts the sync step 2 and update messages a client sends on one connection. An update sent
// on its own is covered by its own message; a step 2 carries everything the server lacked, so it covers every
// update made before it was sent. An ack for n drops every update covered by one of the first n messages.
// Coverage is per connection: after a reconnect nothing is covered until the new connection's step 2.
type queue struct {
	items []queued
	sent  uint64 // step 2 and update messages sent on the current connection
}

type queued struct {
	update    []byte
	coveredBy uint64 // the message number (on this connection) that carried it; 0: not sent yet
}

func (q *queue) add(update []byte) { q.items = append(q.items, queued{update: update}) }

func (q *queue) len() int { return len(q.items) }

// sentStep2 numbers a step 2 just queued for sending: it covers every update not yet covered.
func (q *queue) sentStep2() {
	q.sent++
	for i := range q.items {
		if q.items[i].coveredBy == 0 {
			q.items[i].coveredBy = q.sent
		}
	}
}

// sentLatest numbers an update message carrying the most recent queued update.
func (q *queue) sentLatest() {
	q.sent++
	if n := len(q.items); n > 0 && q.items[n-1].coveredBy == 0 {
		q.items[n-1].coveredBy = q.sent
	}
}

// ack drops the updates covered by the first n messages and reports how many were dropped.
func (q *queue) ack(n uint64) int {
	keep := q.items[:0]
	for _, it := range q.items {
		if it.coveredBy == 0 || it.coveredBy > n {
			keep = append(keep, it)
		}
	}
	dropped := len(q.items) - len(keep)
	clear(q.items[len(keep):])
	q.items = keep
	return dropped
}

// newConnection forgets what the previous connection carried: only its acks counted.
func (q *queue) newConnection() {
	q.sent = 0
	for i := range q.items {
		q.items[i].coveredBy = 0
	}
}

func (q *queue) updates() [][]byte {
	out := make([][]byte, len(q.items))
	for i, it := range q.items {
		out[i] = it.update
	}
	return out
}
