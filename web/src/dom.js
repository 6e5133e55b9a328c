// Tiny DOM helpers: the app builds its views from plain elements, so text is always set as text (never parsed
// as HTML) and a document id or a server message can never inject markup.

/**
 * h('button', { type: 'button', onclick }, 'Copy') creates an element. Attributes starting with "on" become
 * listeners, `hidden`/`disabled`-style booleans are set as properties, everything else as attributes.
 */
export function h (tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value)
    } else if (value === true) {
      el.setAttribute(name, '')
    } else {
      el.setAttribute(name, String(value))
    }
  }
  append(el, children)
  return el
}

function append (el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

/** Replaces the children of el. */
export function replaceChildren (el, ...children) {
  el.replaceChildren()
  append(el, children)
}
