package server

import (
	"errors"
	"sync"

	"github.com/meridian-sync/meridian/crdt"
)

// Pending bytes: updates a document holds in memory because they wait for changes the node does not have
// (crdt.Doc.PendingBytes). Honest clients leave little of it; a client sending updates that can never integrate
// could otherwise park memory without bound. Three budgets apply to a client's update: its document's
// (MaxPendingBytes), the node's (MaxPendingBytesPerNode, all documents) and its token subject's
// (MaxPendingBytesPerSubject, all documents). An update whose unresolved rest does not fit keeps what could be
// integrated (stored and broadcast like any change), its rest is dropped, and the connection is refused.
//
// Accounting: each room charges the growth of its document's pending bytes to the subject whose update caused
// it, and releases a shrink (the pending structs integrated) from the subject whose update caused the shrink
// first, then from the others; everything is released when the room unloads. So the node's and each subject's
// totals are the sum of what the loaded documents hold. Updates from peers and from loading the stored log are
// charged to no subject (the node total only) and are never refused: the region that accepted them applied
// these budgets already, and refusing a stored update would lose data.

var (
	refusePendingDoc = refusal{CloseTooLarge, "pending_document_limit",
		"too many unresolved updates in this document (they depend on changes the server does not have)"}
	refusePendingSubject = refusal{CloseTooLarge, "pending_subject_limit",
		"too many unresolved updates from this user (they depend on changes the server does not have)"}
	refusePendingNode = refusal{CloseOverloaded, "pending_node_limit",
		"the server holds too many unresolved updates; retry later"}
)

// pendingBudget is the node's pending bytes, in total and per subject. Safe for concurrent use.
type pendingBudget struct {
	mu       sync.Mutex
	node     int
	subjects map[string]int
}

func (b *pendingBudget) used(subject string) (node, subj int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.node, b.subjects[subject]
}

func (b *pendingBudget) add(subject string, delta int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.node += delta
	if subject == "" {
		return
	}
	if b.subjects == nil {
		b.subjects = map[string]int{}
	}
	if n := b.subjects[subject] + delta; n > 0 {
		b.subjects[subject] = n
	} else {
		delete(b.subjects, subject)
	}
}

// roomPending is a room's share of the budget.
type roomPending struct {
	writer  string         // subject of the client update being ingested; "" for peers
	charges map[string]int // subject ("" for none) -> pending bytes of this document charged to it
	charged int            // sum of charges: the document's PendingBytes after the last settle
	refusal *refusal       // the budget the current update's limit came from
}

// applyBudgeted applies a client's update under the pending budgets left to it, a peer's without any, and
// settles the accounting. A rest that did not fit returns crdt.ErrPendingLimit (pendingRefusal names it).
func (r *room) applyBudgeted(update []byte, origin writeOrigin) error {
	subject := ""
	if origin == originClient {
		subject = r.pending.writer
	}
	r.pending.writer = ""
	r.pending.refusal = nil
	if origin == originClient {
		l := r.srv.cfg.Limits
		cur := r.doc.PendingBytes()
		node, subj := r.srv.pending.used(subject)
		room, ref := l.MaxPendingBytes-cur, &refusePendingDoc
		if left := l.MaxPendingBytesPerSubject - subj; left < room {
			room, ref = left, &refusePendingSubject
		}
		if left := l.MaxPendingBytesPerNode - node; left < room {
			room, ref = left, &refusePendingNode
		}
		r.doc.SetPendingLimit(cur + max(room, 0))
		r.pending.refusal = ref
	} else {
		r.doc.SetPendingLimit(-1)
	}
	err := r.applySafely(update)
	r.doc.SetPendingLimit(-1)
	if !errors.Is(err, errEnginePanic) {
		r.settlePending(subject)
	}
	return err
}

// pendingRefusal is the refusal for an apply's error when a pending budget dropped the update's rest.
func (r *room) pendingRefusal(err error) *refusal {
	if !errors.Is(err, crdt.ErrPendingLimit) || r.pending.refusal == nil {
		return nil
	}
	return r.pending.refusal
}

// settlePending brings the charges in line with the document's pending bytes.
func (r *room) settlePending(subject string) {
	delta := r.doc.PendingBytes() - r.pending.charged
	switch {
	case delta > 0:
		if r.pending.charges == nil {
			r.pending.charges = map[string]int{}
		}
		r.pending.charges[subject] += delta
		r.pending.charged += delta
		r.srv.pending.add(subject, delta)
	case delta < 0:
		release := -delta
		take := func(sub string) {
			n := min(r.pending.charges[sub], release)
			if n == 0 {
				return
			}
			release -= n
			r.pending.charged -= n
			r.srv.pending.add(sub, -n)
			if r.pending.charges[sub] -= n; r.pending.charges[sub] == 0 {
				delete(r.pending.charges, sub)
			}
		}
		take(subject)
		for sub := range r.pending.charges {
			if release == 0 {
				break
			}
			take(sub)
		}
	}
}

// releasePending returns everything the room holds to the budgets (the room unloads).
func (r *room) releasePending() {
	for sub, n := range r.pending.charges {
		r.srv.pending.add(sub, -n)
	}
	r.pending.charges, r.pending.charged = nil, 0
}

// keepWrites queues the writes of an update that was refused after part of it was applied (a pending budget
// dropped only its rest): what the document took in is stored and broadcast like any change.
func (r *room) keepWrites(writes []pendingWrite) {
	if len(writes) > 0 {
		r.afterWrites(writes, func(error) {})
	}
}
