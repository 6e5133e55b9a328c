package crdt

import (
	"math/rand/v2"
	"slices"

	"github.com/meridian-sync/meridian/crdt/internal/codec"
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// ID names one unit of content: the client that created it and that client's clock.
type ID = codec.ID

// StateVector maps each client to the next clock expected from it.
type StateVector = update.StateVector

// Option configures NewDoc.
type Option func(*docConfig)

type docConfig struct {
	clientID    uint64
	hasClientID bool
	gc          bool
	guid        string
	autoLoad    bool
}

// WithClientID fixes the document's client id. Without it NewDoc draws a random 32-bit id
// from math/rand/v2 (the engine does no I/O, so no crypto/rand); replicas that must never
// collide should pass an id they allocated themselves.
func WithClientID(id uint64) Option {
	return func(c *docConfig) { c.clientID, c.hasClientID = id, true }
}

// WithGC turns garbage collection of deleted content on or off (default on, as in yjs).
func WithGC(enabled bool) Option { return func(c *docConfig) { c.gc = enabled } }

// WithGUID sets the document's guid (used when the document is inserted as a subdocument).
func WithGUID(guid string) Option { return func(c *docConfig) { c.guid = guid } }

// WithAutoLoad marks a subdocument to be loaded automatically by peers (yjs autoLoad option;
// recorded in the subdocument's ContentDoc options).
func WithAutoLoad(on bool) Option { return func(c *docConfig) { c.autoLoad = on } }

// Doc is a Yjs document: a set of named root types plus the struct store that holds their
// history. A Doc is not safe for concurrent use; callers serialise access.
type Doc struct {
	clientID uint64
	gc       bool
	guid     string
	autoLoad bool
	store    *store
	roots    map[string]*branch

	tx       *Transaction
	cleanups []*Transaction
	spare    *Transaction // a finished transaction whose maps the next one reuses

	updateHandlers   []*updateHandler
	updateV2Handlers []*updateHandler
	nextHandlerID    int
}

type updateHandler struct {
	id int
	fn func(update []byte, origin any)
}

// NewDoc creates an empty document.
func NewDoc(opts ...Option) *Doc {
	cfg := docConfig{gc: true}
	for _, o := range opts {
		o(&cfg)
	}
	if !cfg.hasClientID {
		cfg.clientID = newClientID()
	}
	return &Doc{
		clientID: cfg.clientID,
		gc:       cfg.gc,
		guid:     cfg.guid,
		autoLoad: cfg.autoLoad,
		store:    newStore(),
		roots:    make(map[string]*branch),
	}
}

func newClientID() uint64 { return uint64(rand.Uint32()) }

// ClientID is the id the document's local edits are created with.
func (d *Doc) ClientID() uint64 { return d.clientID }

// GUID is the document's guid ("" unless set with WithGUID).
func (d *Doc) GUID() string { return d.guid }

// Transact runs fn as one transaction: the local edits made inside produce one update.
func (d *Doc) Transact(fn func(tx *Transaction)) { d.transact(nil, true, fn) }

// TransactWithOrigin is Transact with an origin handed to update handlers and observers.
func (d *Doc) TransactWithOrigin(origin any, fn func(tx *Transaction)) {
	d.transact(origin, true, fn)
}

// OnUpdate registers fn to receive the v1 update of every transaction that changed the
// document. It is called after observers, garbage collection and merging.
func (d *Doc) OnUpdate(fn func(update []byte, origin any)) (cancel func()) {
	return d.addUpdateHandler(&d.updateHandlers, fn)
}

// OnUpdateV2 is OnUpdate with v2-encoded updates.
func (d *Doc) OnUpdateV2(fn func(update []byte, origin any)) (cancel func()) {
	return d.addUpdateHandler(&d.updateV2Handlers, fn)
}

func (d *Doc) addUpdateHandler(list *[]*updateHandler, fn func([]byte, any)) func() {
	d.nextHandlerID++
	h := &updateHandler{id: d.nextHandlerID, fn: fn}
	*list = append(*list, h)
	return func() {
		*list = slices.DeleteFunc(*list, func(x *updateHandler) bool { return x == h })
	}
}

// snapshotHandlers copies the handler list so handlers may cancel themselves while called.
func snapshotHandlers(hs []*updateHandler) []*updateHandler { return slices.Clone(hs) }

// root returns the root type called name, creating an untyped one if needed.
func (d *Doc) root(name string) *branch {
	b := d.roots[name]
	if b == nil {
		b = newBranch(typeUnknown)
		b.doc = d
		b.rootName = name
		d.roots[name] = b
	}
	return b
}

// typedRoot returns the root called name as kind typeRef; an untyped root adopts the kind.
// It reports false when the root was already defined with another kind.
func (d *Doc) typedRoot(name string, typeRef uint8) (*branch, bool) {
	b := d.root(name)
	if b.typeRef == typeUnknown {
		b.typeRef = typeRef
	}
	return b, b.typeRef == typeRef
}

// RootNames lists the names of the document's root types, sorted.
func (d *Doc) RootNames() []string {
	names := make([]string, 0, len(d.roots))
	for n := range d.roots {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// RootKind reports a root's kind: "text", "array", "map" or "xml" as defined by the application,
// or inferred from its content for roots only named by updates; "" when it is unknown.
func (d *Doc) RootKind(name string) string {
	b := d.roots[name]
	if b == nil {
		return ""
	}
	return kindName(b.inferredKind())
}

func kindName(typeRef uint8) string {
	switch typeRef {
	case update.TypeRefText:
		return "text"
	case update.TypeRefArray:
		return "array"
	case update.TypeRefMap:
		return "map"
	case update.TypeRefXmlFragment, update.TypeRefXmlElement, update.TypeRefXmlText:
		return "xml"
	}
	return ""
}

// inferredKind guesses an untyped root's kind: map entries make a map, string or format
// content makes a text, XML children make an XML fragment, other list content an array.
func (b *branch) inferredKind() uint8 {
	if b.typeRef != typeUnknown {
		return b.typeRef
	}
	for n := b.start; n != nil; n = n.right {
		switch c := n.content.(type) {
		case *update.ContentString, *update.ContentFormat, *update.ContentEmbed:
			return update.TypeRefText
		case *update.ContentType:
			if c.TypeRef == update.TypeRefXmlElement || c.TypeRef == update.TypeRefXmlText || c.TypeRef == update.TypeRefXmlHook {
				return update.TypeRefXmlFragment
			}
			return update.TypeRefArray
		case *update.ContentDeleted:
			continue
		default:
			return update.TypeRefArray
		}
	}
	if len(b.mapItems) > 0 {
		return update.TypeRefMap
	}
	if b.start != nil {
		return update.TypeRefArray
	}
	return typeUnknown
}

// ToJSON returns every root's JSON: Text as a string, Array as []any, Map as map[string]any, XML
// as its string form. Untyped roots are rendered as their inferred kind; empty ones are omitted.
func (d *Doc) ToJSON() map[string]any {
	out := make(map[string]any, len(d.roots))
	for name, b := range d.roots {
		k := b.inferredKind()
		if k == typeUnknown {
			continue
		}
		out[name] = b.jsonAs(k)
	}
	return out
}
