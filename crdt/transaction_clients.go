package crdt

import (
	"slices"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
)

// Which clients a transaction added structs for, and from which clock.
//
// Yjs takes the whole state vector of the document when a transaction starts (beforeState) and when its
// cleanup starts (afterState), and compares the two to find what the transaction added. That costs a map
// entry per client the document has ever seen, twice per keystroke: a long-lived document collects a client
// id per editing session, so on a server its thousands of clients were read and written at every update.
// Instead, the store tells the running transaction when it adds a struct (store.add), and the transaction
// remembers each client's clock before its first addition. A client it did not touch still has the clock
// it had when the transaction started, so the store's current state answers for it.
//
// One subtlety keeps this exact. While a transaction is being cleaned up, observers may run transactions of
// their own, which change the store at once and queue behind it (Doc.cleanups). Yjs's snapshots see those
// changes: a client touched only by such a later transaction still differs between beforeState (taken
// before) and afterState or the current state (taken after). So a transaction answers for a client it did
// not touch with the clock recorded by the first later transaction that touched it, which is the clock the
// client had when this one started, and lists those clients as its own.

// clientClock is a client and a clock of it.
type clientClock struct{ client, clock uint64 }

// clientSpan is a client's clocks before a transaction and when its cleanup started.
type clientSpan struct{ client, before, after uint64 }

// touchIndexThreshold is the number of touched clients past which lookups go through a map: an update
// that carries a whole document (a load, a sync step 2) touches every client it has.
const touchIndexThreshold = 8

// touch records that the transaction is about to add a struct of client, whose next clock is before.
func (tx *Transaction) touch(client, before uint64) {
	if _, ok := tx.touchedClock(client); ok {
		return
	}
	tx.touched = append(tx.touched, clientClock{client, before})
	switch {
	case tx.touchedIndex != nil:
		tx.touchedIndex[client] = len(tx.touched) - 1
	case len(tx.touched) > touchIndexThreshold:
		tx.touchedIndex = make(map[uint64]int, 2*len(tx.touched))
		for i, t := range tx.touched {
			tx.touchedIndex[t.client] = i
		}
	}
}

// touchedClock is client's clock before tx first added a struct of it.
func (tx *Transaction) touchedClock(client uint64) (uint64, bool) {
	if tx.touchedIndex != nil {
		i, ok := tx.touchedIndex[client]
		if !ok {
			return 0, false
		}
		return tx.touched[i].clock, true
	}
	for _, t := range tx.touched {
		if t.client == client {
			return t.clock, true
		}
	}
	return 0, false
}

// later returns the transactions queued behind tx (started by observers during cleanups), usually none.
func (tx *Transaction) later() []*Transaction {
	cleanups := tx.doc.cleanups
	if len(cleanups) < 2 {
		return nil
	}
	if i := slices.Index(cleanups, tx); i >= 0 {
		return cleanups[i+1:]
	}
	return nil
}

// beforeClock is client's clock when tx started (yjs transaction.beforeState.get(client) || 0).
func (tx *Transaction) beforeClock(client uint64) uint64 {
	if c, ok := tx.touchedClock(client); ok {
		return c
	}
	for _, l := range tx.later() {
		if c, ok := l.touchedClock(client); ok {
			return c
		}
	}
	return tx.doc.store.state(client)
}

// changedClients lists, in the order they were first touched, the clients that gained structs since tx
// started (by tx, or by transactions queued behind it), with their clocks before tx.
func (tx *Transaction) changedClients(dst []clientClock) []clientClock {
	dst = append(dst[:0], tx.touched...)
	for _, l := range tx.later() {
		for _, t := range l.touched {
			if !slices.ContainsFunc(dst, func(c clientClock) bool { return c.client == t.client }) {
				dst = append(dst, t)
			}
		}
	}
	return dst
}

// snapshotSpans records, as cleanup starts, each changed client's clocks before tx and now (yjs
// afterState compared with beforeState).
func (tx *Transaction) snapshotSpans() {
	tx.spans = tx.spans[:0]
	tx.scratchClients = tx.changedClients(tx.scratchClients)
	for _, c := range tx.scratchClients {
		tx.spans = append(tx.spans, clientSpan{client: c.client, before: c.clock, after: tx.doc.store.state(c.client)})
	}
}

// writeTransactionStructs writes the structs added since tx started, up to the store's current state,
// clients in descending order (yjs writeStructsFromTransaction: writeClientsStructs from beforeState).
func (d *Doc) writeTransactionStructs(enc codec.UpdateEncoder, tx *Transaction) {
	s := d.store
	from := tx.changedClients(tx.scratchClients)
	tx.scratchClients = from
	from = slices.DeleteFunc(from, func(c clientClock) bool { return s.state(c.client) <= c.clock })
	slices.SortFunc(from, func(a, b clientClock) int {
		switch {
		case a.client > b.client:
			return -1
		case a.client < b.client:
			return 1
		}
		return 0
	})
	rest := enc.Rest()
	rest.WriteVarUint(uint64(len(from)))
	for _, c := range from {
		d.writeClientStructs(enc, c.client, c.clock)
	}
}
