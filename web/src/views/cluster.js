// The cluster page: regions and their nodes, readiness, replication lag per peer and repairs, refreshed
// from GET /v1/cluster every few seconds. A region that is cut off is shown first, in red, with the reason.

import { h, replaceChildren } from '../dom.js'
import { authHeaders } from '../token.js'
import { apiError } from '../api.js'
import { clusterModel, formatLag } from '../cluster-model.js'

export const refreshMs = 2000
const healthOrder = { 'cut-off': 0, degraded: 1, healthy: 2 }
const healthWords = { 'cut-off': 'Cut off', degraded: 'Degraded', healthy: 'Healthy' }

export function mountClusterView (main) {
  const state = h('p', { id: 'cluster-state', class: 'muted', role: 'status' }, 'Loading…')
  const body = h('div', { id: 'cluster-regions' })
  replaceChildren(main, h('h1', {}, 'Cluster'), state, body)
  const controller = new AbortController()
  let timer = 0

  async function refresh () {
    try {
      const res = await fetch('/v1/cluster', { headers: authHeaders(), signal: controller.signal, cache: 'no-store' })
      if (!res.ok) throw await apiError(res, 'read the cluster state')
      const model = clusterModel(await res.json())
      render(body, model)
      state.textContent = `${model.regions.length} ${model.regions.length === 1 ? 'region' : 'regions'}, ` +
        `${model.readyCount} of ${model.nodeCount} nodes ready. ` +
        `Updated ${new Date().toLocaleTimeString()}.`
    } catch (err) {
      if (err.name === 'AbortError') return
      state.textContent = err.status === 401 || err.status === 403
        ? 'The cluster page needs an admin token (meridian token --admin).'
        : `${err.message}. Retrying…`
    }
    if (!controller.signal.aborted) timer = setTimeout(refresh, refreshMs)
  }
  refresh()
  return () => {
    controller.abort()
    clearTimeout(timer)
  }
}

function render (container, model) {
  const regions = [...model.regions].sort((a, b) => healthOrder[a.health] - healthOrder[b.health] || a.name.localeCompare(b.name))
  replaceChildren(container, regions.map(regionCard))
}

function regionCard (region) {
  const titleId = `region-${region.name.replace(/[^A-Za-z0-9_-]/g, '_')}`
  return h('section', { class: `card region ${region.health}`, 'aria-labelledby': titleId, 'data-region': region.name },
    h('h2', { id: titleId }, `Region ${region.name} `,
      h('span', { class: `badge ${region.health}` }, healthWords[region.health])),
    h('p', { class: 'muted' }, region.summary),
    h('div', { class: 'table-scroll' },
      h('table', {},
        h('caption', { class: 'visually-hidden' }, `Nodes of region ${region.name}`),
        h('thead', {}, h('tr', {},
          ['Node', 'State', 'Ready', 'Replication lag', 'Repairs', 'Peers'].map(c => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, region.nodes.map(nodeRow)))))
}

function nodeRow (n) {
  return h('tr', { class: n.up ? '' : 'down' },
    h('th', { scope: 'row' }, n.node, n.self ? h('span', { class: 'muted' }, ' (this node)') : null),
    h('td', {}, n.status),
    h('td', {}, n.ready ? 'yes' : 'no'),
    h('td', {}, formatLag(n.lagSeconds)),
    h('td', {}, n.repairs ?? '–'),
    h('td', {}, n.peers.length ? h('ul', { class: 'peers' }, n.peers.map(peerItem)) : '–'))
}

function peerItem (p) {
  const parts = [p.live ? 'live' : 'unreachable']
  if (p.synced === false) parts.push('not synced')
  if (p.queueDepth) parts.push(`${p.queueDepth} queued`)
  if (p.lagSeconds !== null) parts.push(`${formatLag(p.lagSeconds)} behind`)
  return h('li', { class: p.live ? '' : 'down' }, `${p.id}: ${parts.join(', ')}`)
}
