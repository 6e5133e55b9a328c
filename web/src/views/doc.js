// The editor page: one document, its share link, the people editing it, and the status line.

import * as Y from 'yjs'
import { h, replaceChildren } from '../dom.js'
import { createEditor } from '../editor.js'
import { openSession } from '../session.js'
import { describeStatus } from '../status.js'
import { shareLink } from '../routes.js'
import { accessTo, msUntilExpiry } from '../token.js'

const expiryWarningMs = 60_000

/** Mounts the editor for docId in main; returns the function that closes it. */
export function mountDocView (main, { docId, token, claims, identity }) {
  const access = accessTo(claims, docId)
  const title = h('h1', { id: 'doc-title' }, docId)
  if (!access.read) {
    replaceChildren(main, title, h('p', { class: 'banner error', role: 'alert' },
      'Your access token does not include this document. Ask its owner for a link that grants it.'))
    return () => {}
  }
  const readOnly = !access.write
  const banner = h('p', { id: 'doc-banner', class: 'banner', role: 'alert', hidden: true })
  const editorHost = h('div', { class: 'editor-host' })
  const status = statusLine()
  const people = h('ul', { class: 'people', 'aria-label': 'People in this document' })

  replaceChildren(main,
    h('div', { class: 'doc-head' },
      title,
      readOnly ? h('span', { class: 'badge readonly', id: 'readonly-badge' }, 'Read only') : null),
    shareBox(docId),
    banner,
    editorHost,
    h('div', { class: 'doc-foot' }, status.el, people))

  const ydoc = new Y.Doc()
  let editor = null
  const session = openSession({
    docId,
    token,
    subject: typeof claims?.sub === 'string' ? claims.sub : '',
    ydoc,
    readOnly,
    onChange: (state) => {
      status.render(describeStatus(state))
      if (state.refusal) {
        showBanner(banner, state.refusal.message, 'error')
        editor?.setReadOnly(true)
      }
    }
  })
  const awareness = session.awareness
  // A reader without presence rights would only have their cursor dropped by the server; do not publish it.
  if (access.presence) awareness.setLocalStateField('user', identity)
  else awareness.setLocalState(null)
  const republish = () => { if (access.presence) awareness.setLocalStateField('user', identity) }
  window.addEventListener('meridian:identity', republish)
  const renderPeople = () => replaceChildren(people, peopleItems(awareness))
  awareness.on('change', renderPeople)
  renderPeople()

  editor = createEditor(editorHost, {
    ydoc,
    awareness,
    readOnly,
    label: readOnly ? `Text of ${docId} (read only)` : `Text of ${docId}`
  })
  status.render(describeStatus(session.state))

  const expiryTimer = warnBeforeExpiry(claims, banner)
  return () => {
    clearTimeout(expiryTimer)
    window.removeEventListener('meridian:identity', republish)
    awareness.off('change', renderPeople)
    editor.destroy()
    session.destroy()
    ydoc.destroy()
  }
}

/** The status line: connection, region and node, save state. Each part carries data-state for styling and tests. */
function statusLine () {
  const connection = h('span', { id: 'connection', class: 'status-part', role: 'status' })
  const location = h('span', { id: 'location', class: 'status-part muted' })
  const save = h('span', { id: 'save-state', class: 'status-part' })
  const el = h('p', { class: 'statusbar', 'aria-label': 'Status' }, connection, location, save)
  const set = (node, { text, state }) => {
    if (node.textContent !== text) node.textContent = text
    node.dataset.state = state
  }
  return {
    el,
    render (s) {
      set(connection, s.connection)
      set(location, s.location)
      set(save, s.save)
    }
  }
}

function shareBox (docId) {
  const link = shareLink(docId)
  const input = h('input', { id: 'share-link', readonly: true, value: link, spellcheck: 'false' })
  const done = h('span', { class: 'muted', role: 'status' })
  const copy = h('button', {
    type: 'button',
    class: 'secondary',
    onclick: async () => {
      input.select()
      try {
        await navigator.clipboard.writeText(link)
        done.textContent = 'Copied'
      } catch {
        done.textContent = 'Press Ctrl+C to copy'
      }
      setTimeout(() => { done.textContent = '' }, 3000)
    }
  }, 'Copy link')
  return h('div', { class: 'share' }, h('label', { for: 'share-link' }, 'Share link'), input, copy, done)
}

function peopleItems (awareness) {
  const items = []
  for (const [clientId, state] of awareness.getStates()) {
    const user = state?.user
    if (!user) continue
    const me = clientId === awareness.clientID
    items.push(h('li', { title: user.name },
      h('span', { class: 'dot', style: `background:${safeColor(user.color)}`, 'aria-hidden': 'true' }),
      me ? `${user.name} (you)` : String(user.name)))
  }
  return items
}

// Colours come from other users' awareness: accept only plain hex colours into a style attribute.
function safeColor (color) {
  return /^#[0-9a-fA-F]{3,8}$/.test(color) ? color : '#888'
}

function showBanner (banner, text, kind) {
  banner.textContent = text
  banner.className = `banner ${kind}`
  banner.hidden = false
}

function warnBeforeExpiry (claims, banner) {
  const left = msUntilExpiry(claims)
  // setTimeout overflows past 2^31 ms (about 24 days): such a distant expiry needs no warning yet.
  if (!Number.isFinite(left) || left > 2 ** 31 - 1) return 0
  if (left <= 0) {
    showBanner(banner, 'Your access token has expired. Ask for a new link to this document.', 'error')
    return 0
  }
  return setTimeout(() => showBanner(banner,
    'Your access token expires in a minute. Ask for a new link to keep editing.', 'warning'),
  Math.max(0, left - expiryWarningMs))
}
