// The app's entry point: adopt the token from the URL, set up the user's name, and show the view the URL
// fragment names (routes.js), replacing it whenever the fragment changes.

import './styles.css'
import { adoptTokenFromURL, readClaims } from './token.js'
import { loadIdentity, saveName } from './identity.js'
import { parseRoute } from './routes.js'
import { h, replaceChildren } from './dom.js'
import { mountDocsView } from './views/docs.js'
import { mountDocView } from './views/doc.js'
import { mountClusterView } from './views/cluster.js'

const token = adoptTokenFromURL()
const claims = readClaims(token)
const identity = loadIdentity(typeof claims?.sub === 'string' ? claims.sub : '')
const main = document.getElementById('main')
let unmount = () => {}

function show () {
  unmount()
  const route = parseRoute(window.location.hash)
  markCurrentNav(route.view)
  switch (route.view) {
    case 'docs':
      document.title = 'Documents · Meridian'
      unmount = mountDocsView(main)
      break
    case 'doc':
      document.title = `${route.docId} · Meridian`
      unmount = mountDocView(main, { docId: route.docId, token, claims, identity })
      break
    case 'cluster':
      document.title = 'Cluster · Meridian'
      unmount = mountClusterView(main)
      break
    default:
      document.title = 'Not found · Meridian'
      replaceChildren(main, h('h1', {}, 'Nothing here'),
        h('p', {}, route.docId !== undefined
          ? 'That is not a valid document id: ids use letters, digits and . _ ~ : / - only.'
          : 'This address does not name a page of the editor. ', h('a', { href: '#/' }, 'See the documents.')))
      unmount = () => {}
  }
}

function markCurrentNav (view) {
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === view) link.setAttribute('aria-current', 'page')
    else link.removeAttribute('aria-current')
  }
}

function setUpNameField () {
  const input = document.getElementById('user-name')
  input.value = identity.name
  input.addEventListener('change', () => {
    saveName(identity, input.value)
    input.value = identity.name
    // The open document republishes the user's awareness state so others see the new name at once.
    window.dispatchEvent(new CustomEvent('meridian:identity', { detail: identity }))
  })
}

setUpNameField()
window.addEventListener('hashchange', show)
show()
