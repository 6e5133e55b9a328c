package crdt

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
	"github.com/meridian-sync/meridian/crdt/internal/update"
)

// XmlFragment is a shared list of XML nodes (yjs Y.XmlFragment).
type XmlFragment struct{ b *branch }

// XmlElement is an XML element with attributes and children (yjs Y.XmlElement).
type XmlElement struct{ b *branch }

// XmlText is formatted text inside XML (yjs Y.XmlText); it has all Text methods.
type XmlText struct{ Text }

// XmlHook is a named map-like node that editors render themselves (yjs Y.XmlHook).
type XmlHook struct{ Map }

// GetXmlFragment returns the root XmlFragment called name (panics like GetArray on a kind
// conflict).
func (d *Doc) GetXmlFragment(name string) *XmlFragment {
	b, ok := d.typedRoot(name, update.TypeRefXmlFragment)
	if !ok {
		panic(fmt.Errorf("%w: %q is %s", ErrWrongRootKind, name, kindName(b.typeRef)))
	}
	return b.public().(*XmlFragment)
}

// NewXmlFragment creates a fragment not yet part of a document.
func NewXmlFragment() *XmlFragment {
	return newBranch(update.TypeRefXmlFragment).public().(*XmlFragment)
}

// NewXmlElement creates an element called name, not yet part of a document.
func NewXmlElement(name string) *XmlElement {
	b := newBranch(update.TypeRefXmlElement)
	b.nodeName = name
	return b.public().(*XmlElement)
}

// NewXmlText creates an XML text not yet part of a document.
func NewXmlText() *XmlText { return newBranch(update.TypeRefXmlText).public().(*XmlText) }

// NewXmlHook creates a hook called name, not yet part of a document.
func NewXmlHook(name string) *XmlHook {
	b := newBranch(update.TypeRefXmlHook)
	b.nodeName = name
	return b.public().(*XmlHook)
}

func (f *XmlFragment) branchOf() *branch { return f.b }
func (e *XmlElement) branchOf() *branch  { return e.b }

// xmlChildren is the child list shared by fragments and elements.
type xmlChildren struct{ b *branch }

func (c xmlChildren) insert(index int, nodes []any) error {
	for _, n := range nodes {
		switch n.(type) {
		case *XmlElement, *XmlText, *XmlHook:
		default:
			return fmt.Errorf("%w: XML children must be *XmlElement, *XmlText or *XmlHook, got %T", ErrUnsupportedValue, n)
		}
	}
	vs, err := prepareValues(nodes)
	if err != nil {
		return err
	}
	return c.b.edit(func(tx *Transaction) error { return tx.listInsert(c.b, index, vs) })
}

func (c xmlChildren) children() []any { return (&Array{b: c.b}).ToSlice() }

func (c xmlChildren) String() string {
	var sb strings.Builder
	for _, ch := range c.children() {
		sb.WriteString(xmlString(ch))
	}
	return sb.String()
}

func xmlString(v any) string {
	switch v := v.(type) {
	case *XmlElement:
		return v.ToString()
	case *XmlText:
		return v.ToString()
	case *XmlFragment:
		return v.ToString()
	case *XmlHook:
		return "[object Object]" // yjs has no toString for hooks
	}
	return ""
}

// Insert inserts child nodes at index.
func (f *XmlFragment) Insert(index int, nodes ...any) error {
	return xmlChildren{f.b}.insert(index, nodes)
}

// Delete removes length children from index.
func (f *XmlFragment) Delete(index, length int) error {
	return f.b.edit(func(tx *Transaction) error { return tx.listDelete(f.b, index, length) })
}

// Len is the number of children.
func (f *XmlFragment) Len() int { return f.b.length }

// Children returns the child nodes.
func (f *XmlFragment) Children() []any { return xmlChildren{f.b}.children() }

// ToString renders the children as XML.
func (f *XmlFragment) ToString() string { return xmlChildren{f.b}.String() }

// ToJSON is ToString, as in yjs.
func (f *XmlFragment) ToJSON() string { return f.ToString() }

// Observe calls fn after every transaction that changed the fragment's children.
func (f *XmlFragment) Observe(fn func(*ArrayEvent)) (cancel func()) {
	return f.b.handlers.add(func(e *event) { fn(&ArrayEvent{event: e}) })
}

// NodeName is the element's tag name.
func (e *XmlElement) NodeName() string { return e.b.nodeName }

// Insert inserts child nodes at index.
func (e *XmlElement) Insert(index int, nodes ...any) error {
	return xmlChildren{e.b}.insert(index, nodes)
}

// Delete removes length children from index.
func (e *XmlElement) Delete(index, length int) error {
	return e.b.edit(func(tx *Transaction) error { return tx.listDelete(e.b, index, length) })
}

// Len is the number of children.
func (e *XmlElement) Len() int { return e.b.length }

// Children returns the child nodes.
func (e *XmlElement) Children() []any { return xmlChildren{e.b}.children() }

// SetAttribute sets an attribute (any JSON-like value; yjs uses strings).
func (e *XmlElement) SetAttribute(name string, value any) error {
	return (&Map{b: e.b}).Set(name, value)
}

// GetAttribute returns an attribute's value.
func (e *XmlElement) GetAttribute(name string) (any, bool) { return (&Map{b: e.b}).Get(name) }

// RemoveAttribute deletes an attribute.
func (e *XmlElement) RemoveAttribute(name string) { (&Map{b: e.b}).Delete(name) }

// Attributes returns all attributes.
func (e *XmlElement) Attributes() map[string]any { return (&Map{b: e.b}).ToJSON() }

// ToString renders the element as XML: attributes sorted by name, as yjs does.
func (e *XmlElement) ToString() string {
	attrs := e.Attributes()
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var sb strings.Builder
	name := strings.ToLower(e.b.nodeName)
	sb.WriteString("<" + name)
	for _, k := range keys {
		sb.WriteString(" " + k + `="` + jsString(attrs[k]) + `"`)
	}
	sb.WriteString(">" + xmlChildren{e.b}.String() + "</" + name + ">")
	return sb.String()
}

// ToJSON is ToString, as in yjs.
func (e *XmlElement) ToJSON() string { return e.ToString() }

// Observe calls fn after every transaction that changed the element (children or attributes).
func (e *XmlElement) Observe(fn func(*ArrayEvent)) (cancel func()) {
	return e.b.handlers.add(func(ev *event) { fn(&ArrayEvent{event: ev}) })
}

// ToString renders the text with formatting attributes as nested XML tags (yjs
// YXmlText.toString).
func (t *XmlText) ToString() string {
	var sb strings.Builder
	for _, d := range t.ToDelta() {
		names := make([]string, 0, len(d.Attributes))
		for n := range d.Attributes {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			sb.WriteString("<" + n)
			if o, ok := d.Attributes[n].(lib0.Object); ok {
				keys := o.Keys()
				slices.Sort(keys)
				for _, k := range keys {
					v, _ := o.Get(k)
					sb.WriteString(" " + k + `="` + jsString(v) + `"`)
				}
			}
			sb.WriteString(">")
		}
		sb.WriteString(jsString(d.Insert))
		for i := len(names) - 1; i >= 0; i-- {
			sb.WriteString("</" + names[i] + ">")
		}
	}
	return sb.String()
}

// ToJSON is ToString, as in yjs.
func (t *XmlText) ToJSON() string { return t.ToString() }

// HookName is the hook's name.
func (h *XmlHook) HookName() string { return h.b.nodeName }

// ToJSON returns the hook's entries.
func (h *XmlHook) ToJSON() map[string]any { return h.Map.ToJSON() }

// jsString converts a value the way JavaScript string concatenation would.
func jsString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return "null"
	case lib0.Object:
		return "[object Object]"
	case *XmlElement:
		return v.ToString()
	case *XmlText:
		return v.ToString()
	}
	if lib0.IsUndefined(v) {
		return "undefined"
	}
	return lib0.StringifyJSONLenient(v)
}
