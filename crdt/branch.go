package crdt

import "github.com/meridian-sync/meridian/crdt/internal/update"

// Kinds of branch. typeUnknown is a root that was named by an update but never asked for by
// the application (yjs keeps an untyped AbstractType for it until doc.getText & co. is called).
const typeUnknown uint8 = 255

// branch is the state every shared type has (yjs AbstractType): its list sequence, its map
// chains, and the bookkeeping for length, positions and observers. The public types (Text,
// Array, Map, Xml*) are thin wrappers around a branch.
type branch struct {
	doc      *Doc
	item     *item // the item holding this type; nil for roots
	rootName string
	typeRef  uint8
	nodeName string // XmlElement node name / XmlHook hook name

	start    *item
	list     place            // the place of every item of the list sequence
	mapItems map[string]*item // key -> rightmost item of the key's chain
	mapOrder []string         // keys in first-seen order, for deterministic iteration
	length   int              // visible units of the list

	markers       *markerSet // search markers of the list, see markers.go; nil until a lookup
	hasFormatting bool       // a ContentFormat was ever integrated (text only)

	prelim   []func(tx *Transaction) // edits made before the type was inserted into a document
	wrapper  any                     // the public value (*Text, *Array, ...) for this branch
	handlers eventHandlers
}

// place is where an item belongs: its parent type and, for an entry of a map, the key (yjs
// Item.parent and Item.parentSub). Items point to a shared place instead of holding both: the
// list items of a type share branch.list, the items of one key's chain share the place the
// chain's first item brought. That saves a word in every item, most of a text document.
type place struct {
	parent *branch
	key    string // the map key (yjs parentSub), "" for list items
	isKey  bool   // an entry of a map key's chain; the key itself may be ""
}

func newBranch(typeRef uint8) *branch {
	b := &branch{typeRef: typeRef, mapItems: make(map[string]*item)}
	b.list.parent = b
	return b
}

// keyPlace is the place of key's chain: the one its items already share, or a new one.
func (b *branch) keyPlace(key string) *place {
	if it := b.mapItems[key]; it != nil && it.place != nil {
		return it.place
	}
	return &place{parent: b, key: key, isKey: true}
}

// setMapItem records the current rightmost item of key's chain.
func (b *branch) setMapItem(key string, it *item) {
	if _, ok := b.mapItems[key]; !ok {
		b.mapOrder = append(b.mapOrder, key)
	}
	b.mapItems[key] = it
}

// isText reports whether the branch is a Text or an XmlText (yjs YXmlText extends YText).
func (b *branch) isText() bool {
	return b.typeRef == update.TypeRefText || b.typeRef == update.TypeRefXmlText
}

// deletedByParent reports whether the type's own item is deleted (then edits are discarded).
func (b *branch) deletedByParent() bool { return b.item != nil && b.item.deleted() }

// integrate binds a prelim type to its document once its item is integrated.
func (b *branch) integrate(tx *Transaction, it *item) {
	b.doc = tx.doc
	b.item = it
	pending := b.prelim
	b.prelim = nil
	for _, f := range pending {
		f(tx)
	}
}

// contentValues returns the values an item contributes to a list or map, as the public API
// hands them out.
func contentValues(c update.Content) []any {
	switch c := c.(type) {
	case *update.ContentAny:
		return c.Values
	case *update.ContentJSON:
		return c.Values
	case *update.ContentBinary:
		return []any{c.Data}
	case *update.ContentEmbed:
		return []any{c.Value}
	case *update.ContentType:
		return []any{c.Type.(*branch).public()}
	case *update.ContentDoc:
		return []any{subdocValue(c)}
	case *update.ContentString:
		s := c.String()
		out := make([]any, 0, len(s))
		for _, u := range utf16Units(s) {
			out = append(out, u)
		}
		return out
	}
	return nil
}

// lastValue is the value of a map entry (the last unit of its item).
func lastValue(it *item) any {
	switch c := it.content.(type) {
	case *update.ContentAny:
		return c.Values[len(c.Values)-1]
	case *update.ContentJSON:
		return c.Values[len(c.Values)-1]
	}
	vs := contentValues(it.content)
	if len(vs) == 0 {
		return nil
	}
	return vs[len(vs)-1]
}
