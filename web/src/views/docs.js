// The home page: the documents on this server (an admin token or a --dev server may list them), a form to
// start a new document and a form to open one by id.

import { h, replaceChildren } from '../dom.js'
import { docHash, isValidDocId, newDocId } from '../routes.js'
import { authHeaders } from '../token.js'
import { apiError } from '../api.js'

const pageSize = 50

export function mountDocsView (main) {
  const list = h('ul', { class: 'doc-list', 'aria-describedby': 'docs-state' })
  const listState = h('p', { id: 'docs-state', class: 'muted', role: 'status' }, 'Loading documents…')
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more')
  const controller = new AbortController()
  let cursor = ''

  async function loadPage () {
    more.disabled = true
    try {
      const query = new URLSearchParams({ limit: String(pageSize) })
      if (cursor) query.set('cursor', cursor)
      const res = await fetch(`/v1/docs?${query}`, { headers: authHeaders(), signal: controller.signal })
      if (!res.ok) throw await apiError(res, 'list documents')
      const body = await res.json()
      for (const doc of body.documents ?? []) list.append(docItem(doc))
      cursor = body.nextCursor || ''
      more.hidden = !cursor
      listState.textContent = list.children.length ? plural(list.children.length, 'document') : 'No documents yet: create the first one.'
    } catch (err) {
      if (err.name === 'AbortError') return
      listState.textContent = err.status === 401 || err.status === 403
        ? 'Listing documents needs an admin token. You can still create a document or open one by its id.'
        : err.message
    } finally {
      more.disabled = false
    }
  }
  more.addEventListener('click', loadPage)

  replaceChildren(main,
    h('h1', {}, 'Documents'),
    h('div', { class: 'home-grid' },
      h('section', { 'aria-labelledby': 'new-doc-title', class: 'card' },
        h('h2', { id: 'new-doc-title' }, 'New document'),
        docForm('new-doc', 'Name (optional)', 'Create', () => newDocId())),
      h('section', { 'aria-labelledby': 'open-doc-title', class: 'card' },
        h('h2', { id: 'open-doc-title' }, 'Open a document'),
        docForm('open-doc', 'Document id', 'Open', null)),
      h('section', { 'aria-labelledby': 'all-docs-title', class: 'card wide' },
        h('h2', { id: 'all-docs-title' }, 'On this server'),
        listState, list, more)))
  loadPage()
  return () => controller.abort()
}

function docItem (doc) {
  const size = Number(doc.logBytes ?? 0) + Number(doc.snapshotBytes ?? 0)
  return h('li', {},
    h('a', { href: docHash(doc.id) }, doc.id),
    h('span', { class: 'muted' }, ` ${formatBytes(size)}`))
}

/** A one-field form that opens the named document; an empty field uses fallbackId() when given. */
function docForm (id, label, action, fallbackId) {
  const input = h('input', {
    id: `${id}-input`,
    name: 'doc',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: 512,
    required: fallbackId ? undefined : true,
    'aria-describedby': `${id}-hint`
  })
  const hint = h('p', { id: `${id}-hint`, class: 'hint' }, 'Letters, digits and . _ ~ : / - (for example team/notes).')
  return h('form', {
    class: 'doc-form',
    onsubmit: (event) => {
      event.preventDefault()
      const docId = input.value.trim() || (fallbackId ? fallbackId() : '')
      if (!isValidDocId(docId)) {
        input.setAttribute('aria-invalid', 'true')
        hint.textContent = `"${docId}" is not a valid id: use letters, digits and . _ ~ : / - only.`
        input.focus()
        return
      }
      window.location.hash = docHash(docId)
    }
  },
  h('label', { for: `${id}-input` }, label), input, hint,
  h('button', { type: 'submit' }, action))
}

function plural (n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function formatBytes (n) {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}
