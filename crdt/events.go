package crdt

import (
	"slices"

	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// eventHandlers is the observer list of one shared type.
type eventHandlers struct {
	list []*eventHandler
}

type eventHandler struct{ fn func(*event) }

func (h *eventHandlers) add(fn func(*event)) func() {
	eh := &eventHandler{fn: fn}
	h.list = append(h.list, eh)
	return func() { h.list = slices.DeleteFunc(h.list, func(x *eventHandler) bool { return x == eh }) }
}

// event is what observers receive. It is only valid during the callback: the delta and key
// changes are computed from the transaction's state, which garbage collection later drops.
type event struct {
	target *branch
	tx     *Transaction
	change *changeSet

	// textDelta caches TextEvent.Delta: computing it deletes redundant markers (as yjs does),
	// so a second computation would see a different text. Observers share the event.
	textDelta     []Delta
	textDeltaDone bool
}

// Transaction is the transaction that caused the event.
func (e *event) Transaction() *Transaction { return e.tx }

// Origin is the transaction's origin.
func (e *event) Origin() any { return e.tx.origin }

// Local reports whether the change was made locally.
func (e *event) Local() bool { return e.tx.local }

// adds reports whether it was created in this transaction.
func (e *event) adds(it *item) bool { return it.id.Clock >= e.tx.beforeClock(it.id.Client) }

// deletes reports whether it was deleted in this transaction.
func (e *event) deletes(it *item) bool { return e.tx.deleteSet.Contains(it.id) }

// KeysChanged lists the map keys changed by the transaction, sorted.
func (e *event) KeysChanged() []string {
	keys := make([]string, 0, len(e.change.keys))
	for k := range e.change.keys {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// KeyChange describes how one map key changed.
type KeyChange struct {
	Action   string // "add", "update" or "delete"
	OldValue any    // the previous value for "update" and "delete"
}

// Keys describes the change of every changed key (yjs YEvent.keys).
func (e *event) Keys() map[string]KeyChange {
	out := map[string]KeyChange{}
	for key := range e.change.keys {
		it := e.target.mapItems[key]
		if it == nil {
			continue
		}
		if e.adds(it) {
			prev := it.left
			for prev != nil && e.adds(prev) {
				prev = prev.left
			}
			if it.deleted() {
				if prev != nil && e.deletes(prev) {
					out[key] = KeyChange{Action: "delete", OldValue: lastValue(prev)}
				}
			} else if prev != nil && e.deletes(prev) {
				out[key] = KeyChange{Action: "update", OldValue: lastValue(prev)}
			} else {
				out[key] = KeyChange{Action: "add"}
			}
		} else if e.deletes(it) {
			out[key] = KeyChange{Action: "delete", OldValue: lastValue(it)}
		}
	}
	return out
}

// ArrayDelta is one operation of a list change: Insert values, Delete or Retain a count.
type ArrayDelta struct {
	Insert []any
	Delete int
	Retain int
}

// MapEvent reports a change of a Map.
type MapEvent struct{ *event }

// ArrayEvent reports a change of an Array.
type ArrayEvent struct{ *event }

// Delta describes the list change as retain/insert/delete operations (yjs YEvent.changes.delta).
func (e *ArrayEvent) Delta() []ArrayDelta { return listDelta(e.event) }

func listDelta(e *event) []ArrayDelta {
	var ops []ArrayDelta
	var last *ArrayDelta
	kind := byte(0)
	begin := func(k byte) {
		if kind != k {
			if last != nil {
				ops = append(ops, *last)
			}
			last, kind = &ArrayDelta{}, k
		}
	}
	for it := e.target.start; it != nil; it = it.right {
		switch {
		case it.deleted():
			if e.deletes(it) && !e.adds(it) {
				begin('d')
				last.Delete += int(it.len())
			}
		case e.adds(it):
			begin('i')
			last.Insert = append(last.Insert, contentValues(it.content)...)
		default:
			begin('r')
			last.Retain += int(it.len())
		}
	}
	if last != nil && kind != 'r' {
		ops = append(ops, *last)
	}
	return ops
}

// TextEvent reports a change of a Text.
type TextEvent struct{ *event }

// Delta describes the text change as a rich-text delta (yjs YTextEvent.delta). Like yjs, the
// first call deletes the format markers it finds redundant, in a local transaction of its own
// that runs (and emits its update) after the current one; later calls return the same delta.
func (e *TextEvent) Delta() []Delta {
	if !e.textDeltaDone {
		e.target.doc.transact(nil, true, func(tx *Transaction) {
			e.textDelta = e.computeTextDelta(tx)
		})
		e.textDeltaDone = true
	}
	return e.textDelta
}

// computeTextDelta walks the text once; tx receives the deletions of redundant markers.
func (e *TextEvent) computeTextDelta(tx *Transaction) []Delta {
	var ops []Delta
	cur, old := newAttrs(), newAttrs()
	pending := newAttrs() // attributes of the next retain
	action := byte(0)
	var insert any
	var sb []byte
	retain, del := 0, 0
	add := func() {
		switch action {
		case 'd':
			if del > 0 {
				ops = append(ops, Delta{Delete: del})
			}
			del = 0
		case 'i':
			ins := insert
			if ins == nil && len(sb) > 0 {
				ins = string(sb)
			}
			if ins != nil {
				op := Delta{Insert: ins}
				if cur.len() > 0 {
					op.Attributes = cur.toMap(true)
				}
				ops = append(ops, op)
			}
			insert, sb = nil, sb[:0]
		case 'r':
			if retain > 0 {
				op := Delta{Retain: retain}
				if pending.len() > 0 {
					op.Attributes = pending.toMap(false)
				}
				ops = append(ops, op)
			}
			retain = 0
		}
		action = 0
	}
	for it := e.target.start; it != nil; it = it.right {
		switch c := it.content.(type) {
		case *update.ContentType, *update.ContentEmbed:
			switch {
			case e.adds(it):
				if !e.deletes(it) {
					add()
					action, insert = 'i', contentValues(c)[0]
					add()
				}
			case e.deletes(it):
				if action != 'd' {
					add()
					action = 'd'
				}
				del++
			case !it.deleted():
				if action != 'r' {
					add()
					action = 'r'
				}
				retain++
			}
		case *update.ContentString:
			switch {
			case e.adds(it):
				if !e.deletes(it) {
					if action != 'i' {
						add()
						action = 'i'
					}
					sb = append(sb, c.String()...)
				}
			case e.deletes(it):
				if action != 'd' {
					add()
					action = 'd'
				}
				del += int(it.len())
			case !it.deleted():
				if action != 'r' {
					add()
					action = 'r'
				}
				retain += int(it.len())
			}
		case *update.ContentFormat:
			e.formatDelta(tx, it, c, cur, old, pending, &action, add)
		case *update.ContentDeleted:
			if e.deletes(it) && !e.adds(it) {
				if action != 'd' {
					add()
					action = 'd'
				}
				del += int(it.len())
			}
		}
	}
	add()
	// trailing retains without attributes carry no information
	for len(ops) > 0 && ops[len(ops)-1].Retain > 0 && ops[len(ops)-1].Attributes == nil {
		ops = ops[:len(ops)-1]
	}
	return ops
}

// formatDelta handles a format marker of the delta walk. A live marker that changes nothing
// is deleted (in tx), as yjs does while computing the delta.
func (e *event) formatDelta(tx *Transaction, it *item, c *update.ContentFormat, cur, old, pending *attrs, action *byte, add func()) {
	switch {
	case e.adds(it):
		if e.deletes(it) {
			break
		}
		if !equalAttr(cur.getOrNull(c.Key), c.Value) {
			if *action == 'r' {
				add()
			}
			if equalAttr(c.Value, old.getOrNull(c.Key)) {
				pending.del(c.Key)
			} else {
				pending.set(c.Key, c.Value)
			}
		} else if c.Value != nil {
			it.delete(tx) // opens an attribute that is already in effect
		}
	case e.deletes(it):
		old.set(c.Key, c.Value)
		if v := cur.getOrNull(c.Key); !equalAttr(v, c.Value) {
			if *action == 'r' {
				add()
			}
			pending.set(c.Key, v)
		}
	case !it.deleted():
		old.set(c.Key, c.Value)
		if v, ok := pending.get(c.Key); ok {
			if !equalAttr(v, c.Value) {
				if *action == 'r' {
					add()
				}
				if c.Value == nil {
					pending.del(c.Key)
				} else {
					pending.set(c.Key, c.Value)
				}
			} else if v != nil {
				// yjs: "this will be cleaned up automatically by the contextless cleanup function"
				it.delete(tx)
			}
		}
	}
	if !it.deleted() {
		if *action == 'i' {
			add()
		}
		cur.applyFormat(c)
	}
}

// callObservers notifies the observers of every changed type that is still alive.
func (d *Doc) callObservers(tx *Transaction) {
	for _, b := range tx.changedOrder {
		cs := tx.changed[b]
		if cs == nil || b.deletedByParent() {
			continue
		}
		if !tx.local && b.hasFormatting && b.isText() {
			// yjs YText._callObserver: a remote change to formatted text may have left
			// duplicate markers behind, so the formatting cleanup runs after this transaction.
			// It is decided here, per changed text, whether or not anyone observes it.
			tx.needFormattingCleanup = true
		}
		if len(b.handlers.list) == 0 {
			continue
		}
		e := &event{target: b, tx: tx, change: cs}
		for _, h := range slices.Clone(b.handlers.list) {
			h.fn(e)
		}
	}
}
