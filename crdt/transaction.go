package crdt

import (
	"slices"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// Transaction groups changes to a document. Every local edit runs in one (an implicit one when
// called outside Doc.Transact); when it ends, observers run, deleted content is garbage
// collected, neighbouring structs are merged, and the update describing it is emitted.
type Transaction struct {
	doc       *Doc
	origin    any
	local     bool
	deleteSet update.DeleteSet

	// The clients this transaction added structs for (transaction_clients.go).
	touched        []clientClock  // clock before the first addition, in order of first addition
	touchedIndex   map[uint64]int // index into touched, once it is long
	spans          []clientSpan   // changed clients' clocks before and at the start of cleanup
	scratchClients []clientClock

	// changed maps each changed type to the keys that changed ("" with list=true for the list).
	changed      map[*branch]*changeSet
	changedOrder []*branch
	mergeStructs []*item

	needFormattingCleanup bool
	subdocsAdded          int
	subdocsRemoved        int

	conflicting, before map[*item]struct{} // scratch sets of the YATA scan
	spareChangeSets     []*changeSet       // change sets of an earlier transaction, for reuse

	itemSlab []item // items reserved for the update being applied (item_slab.go)
}

type changeSet struct {
	list  bool
	keys  map[string]struct{}
	spare bool // in spareChangeSets, waiting for reuse
}

// Origin is the value given to TransactWithOrigin or ApplyUpdateWithOrigin (nil otherwise).
func (tx *Transaction) Origin() any { return tx.origin }

// Local reports whether the transaction holds local edits rather than an applied update.
func (tx *Transaction) Local() bool { return tx.local }

// Doc is the document the transaction belongs to.
func (tx *Transaction) Doc() *Doc { return tx.doc }

func (tx *Transaction) scratchConflicting() map[*item]struct{} {
	if tx.conflicting == nil {
		tx.conflicting = make(map[*item]struct{})
	}
	return tx.conflicting
}

func (tx *Transaction) scratchBefore() map[*item]struct{} {
	if tx.before == nil {
		tx.before = make(map[*item]struct{})
	}
	return tx.before
}

// addChanged records that type b changed (yjs addChangedTypeToTransaction): only types that
// existed before the transaction and are not deleted are reported to observers.
func (tx *Transaction) addChanged(b *branch, key string, isKey bool) {
	it := b.item
	if it != nil && (it.id.Clock >= tx.beforeClock(it.id.Client) || it.deleted()) {
		return
	}
	cs := tx.changed[b]
	if cs == nil {
		if n := len(tx.spareChangeSets); n > 0 {
			cs = tx.spareChangeSets[n-1]
			tx.spareChangeSets = tx.spareChangeSets[:n-1]
			cs.spare = false
		} else {
			cs = &changeSet{}
		}
		tx.changed[b] = cs
		tx.changedOrder = append(tx.changedOrder, b)
	}
	if !isKey {
		cs.list = true
		return
	}
	if cs.keys == nil {
		cs.keys = make(map[string]struct{})
	}
	cs.keys[key] = struct{}{}
}

// nextID is the id of the next struct the local client creates.
func (tx *Transaction) nextID() ID {
	c := tx.doc.clientID
	return ID{Client: c, Clock: tx.doc.store.state(c)}
}

// transact runs fn inside the current transaction, or a new one that is cleaned up when fn
// returns (yjs transact). Nested calls share the outer transaction.
func (d *Doc) transact(origin any, local bool, fn func(tx *Transaction)) {
	if d.tx != nil {
		fn(d.tx)
		return
	}
	tx := d.newTransaction(origin, local)
	d.tx, d.store.tx = tx, tx
	d.cleanups = append(d.cleanups, tx)
	first := len(d.cleanups) == 1
	defer func() {
		d.tx, d.store.tx = nil, nil
		if first {
			d.runCleanups()
		}
	}()
	fn(tx)
}

// newTransaction starts a transaction, reusing a finished one (the struct, its maps and
// buffers): a transaction per keystroke is the common case, and these were most of its
// allocations.
func (d *Doc) newTransaction(origin any, local bool) *Transaction {
	var tx *Transaction
	if r := d.spare; r != nil {
		d.spare = nil
		// (recycle already dropped the delete set's ranges.)
		if len(r.changed) > 0 {
			clear(r.changed)
		}
		*r = Transaction{
			doc: d, origin: origin, local: local,
			deleteSet: r.deleteSet, changed: r.changed,
			touched: r.touched[:0], spans: r.spans[:0], scratchClients: r.scratchClients[:0],
			changedOrder: r.changedOrder[:0], mergeStructs: r.mergeStructs[:0],
			conflicting: r.conflicting, before: r.before, spareChangeSets: r.spareChangeSets,
		}
		tx = r
	} else {
		tx = &Transaction{doc: d, origin: origin, local: local}
		tx.deleteSet = update.NewDeleteSet()
		tx.changed = make(map[*branch]*changeSet)
	}
	return tx
}

// recycle hands a finished transaction's maps to the next one. Transactions must not be used
// after they end (events and handlers receive them only during their calls).
func (d *Doc) recycle(tx *Transaction) {
	if len(tx.mergeStructs) > 1024 || len(tx.changedOrder) > 1024 || len(tx.touched) > 1024 {
		return // do not pin big buffers
	}
	clear(tx.mergeStructs)
	if len(tx.deleteSet.Clients) > 0 {
		clear(tx.deleteSet.Clients) // the spare must not keep a big delete (or a load's) alive
	}
	for _, b := range tx.changedOrder {
		if cs := tx.changed[b]; cs != nil && !cs.spare { // a branch can be listed twice
			*cs = changeSet{keys: cs.keys, spare: true}
			clear(cs.keys)
			tx.spareChangeSets = append(tx.spareChangeSets, cs)
		}
	}
	clear(tx.changedOrder)
	d.spare = tx
}

// runCleanups finishes every queued transaction in order; observers may start new ones, which
// queue behind the current (yjs cleanupTransactions).
func (d *Doc) runCleanups() {
	for i := 0; i < len(d.cleanups); i++ {
		d.cleanup(d.cleanups[i])
	}
	for i, tx := range d.cleanups {
		d.recycle(tx)
		d.cleanups[i] = nil
	}
	d.cleanups = d.cleanups[:0]
}

func (d *Doc) cleanup(tx *Transaction) {
	tx.deleteSet.SortAndMerge()
	tx.snapshotSpans()
	d.callObservers(tx)
	if tx.needFormattingCleanup {
		d.cleanupFormatting(tx)
	}
	s := d.store
	if d.gc {
		tryGCDeleteSet(tx.deleteSet, s)
	}
	tryMergeDeleteSet(tx.deleteSet, s)
	for _, span := range tx.spans {
		client, before := span.client, span.before
		if before == span.after {
			continue
		}
		sl := s.structs(client)
		first, _ := sl.find(before)
		first = max(first, 1)
		for i := sl.len() - 1; i >= first; {
			i -= 1 + tryMergeWithLefts(s, client, i)
		}
	}
	for i := len(tx.mergeStructs) - 1; i >= 0; i-- {
		id := tx.mergeStructs[i].id
		sl := s.structs(id.Client)
		pos, ok := sl.find(id.Clock)
		if !ok {
			continue
		}
		if pos+1 < sl.len() && tryMergeWithLefts(s, id.Client, pos+1) > 1 {
			continue
		}
		if pos > 0 {
			tryMergeWithLefts(s, id.Client, pos)
		}
	}
	if !tx.local && slices.ContainsFunc(tx.spans, func(s clientSpan) bool { return s.client == d.clientID && s.before != s.after }) {
		// Another peer uses our client id: pick a new one so our future edits stay unique.
		d.clientID = newClientID()
	}
	d.emitUpdates(tx)
}

// hasChanges reports whether the transaction inserted or deleted anything.
func (tx *Transaction) hasChanges() bool {
	if !tx.deleteSet.IsEmpty() {
		return true
	}
	return slices.ContainsFunc(tx.spans, func(s clientSpan) bool { return s.before != s.after })
}

func (d *Doc) emitUpdates(tx *Transaction) {
	if len(d.updateHandlers) == 0 && len(d.updateV2Handlers) == 0 {
		return
	}
	if !tx.hasChanges() {
		return
	}
	if len(d.updateHandlers) > 0 {
		enc := codec.NewEncoderV1()
		d.writeTransactionUpdate(enc, tx)
		u := enc.Bytes()
		for _, h := range snapshotHandlers(d.updateHandlers) {
			h.fn(u, tx.origin)
		}
	}
	if len(d.updateV2Handlers) > 0 {
		u := codec.EncodeV2(func(enc codec.UpdateEncoder) { d.writeTransactionUpdate(enc, tx) })
		for _, h := range snapshotHandlers(d.updateV2Handlers) {
			h.fn(u, tx.origin)
		}
	}
}

// writeTransactionUpdate writes the structs added since beforeState and the transaction's
// delete set (yjs writeUpdateMessageFromTransaction).
func (d *Doc) writeTransactionUpdate(enc codec.UpdateEncoder, tx *Transaction) {
	d.writeTransactionStructs(enc, tx)
	tx.deleteSet.Write(enc)
}
