import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import WebSocket from 'ws'
import { MeridianProvider } from '../dist/index.js'
import { Endpoints } from '../dist/failover.js'
import { startServer, mintToken, waitFor, meridian } from './helpers.mjs'

const append = (doc, s) => {
  const text = doc.getText('text')
  text.insert(text.length, s)
}

// Two servers sharing nothing (no replication): what reaches the second one is what the clients' first sync
// there carries, so nothing may be lost on the way.
test('a JS and a Go client keep editing through the loss of their server and their edits reach the other', async (t) => {
  const a = await startServer(t)
  const b = await startServer(t)
  const byUrl = new Map([[a.url, a], [b.url, b]])
  const docId = 'failover'
  const doc = new Y.Doc()
  const provider = new MeridianProvider([a.url, b.url], docId, doc, {
    token: () => mintToken('write', 3600, docId),
    WebSocketPolyfill: WebSocket,
    minBackoffTime: 20,
    maxBackoffTime: 200,
    failbackInterval: 100
  })
  t.after(() => { provider.destroy(); doc.destroy() })
  await provider.whenSynced()
  append(doc, 'js1 ')
  await provider.whenSaved()
  const first = byUrl.get(provider.endpoint)
  assert.ok(first, `connected to ${provider.endpoint}, not one of the endpoints`)
  const other = first === a ? b : a

  // The server in use stops; the JS client keeps editing and fails over.
  await first.stop()
  append(doc, 'js2 ')
  await waitFor('the JS client on the other endpoint, saved', () =>
    provider.endpoint === other.url && provider.saved)

  // The Go client, given both endpoints, skips the stopped one and edits on the other.
  const token = mintToken('write', 60, docId)
  const goText = doc.getText('text').toString() + 'go1 '
  meridian(['put', '--url', `${first.url},${other.url}`, docId, '-'], { MERIDIAN_TOKEN: token }, goText)
  await waitFor('the JS client to see the Go edit', () => doc.getText('text').toString() === goText)
  append(doc, 'js3')
  await provider.whenSaved()
  const want = goText + 'js3'
  const onOther = JSON.parse(meridian(['cat', '--url', other.url, docId], { MERIDIAN_TOKEN: token }))
  assert.equal(onOther.text, want, 'the surviving server holds every edit')

  // The preferred server comes back: the provider returns and brings it what it missed.
  await first.restart()
  await waitFor('the return to the preferred endpoint', () => provider.endpoint === first.url && provider.saved)
  const onFirst = JSON.parse(meridian(['cat', '--url', first.url, docId], { MERIDIAN_TOKEN: token }))
  assert.equal(onFirst.text, want, 'the preferred server holds every edit after the return')
  assert.equal(provider.pendingUpdates, 0)
})

test('endpoints are ranked by readiness answer time; a failed one is avoided while another answers', async () => {
  // Far apart, so that a loaded machine (a late timer) cannot swap them.
  const delays = { 'http://slow/readyz': 600, 'http://fast/readyz': 0, 'http://down/readyz': -1 }
  const fetch = async (url) => {
    const d = delays[url]
    if (d < 0) throw new Error('connection refused')
    await new Promise(resolve => setTimeout(resolve, d))
    return { ok: true }
  }
  const ep = (host) => ({ server: `ws://${host}/ws`, url: `ws://${host}/ws/d`, ready: `http://${host}/readyz` })
  const set = new Endpoints([ep('down'), ep('slow'), ep('fast'), ep('fast')], fetch, 3000)
  assert.equal(set.list.length, 3, 'duplicates are dropped')
  assert.equal((await set.choose(false)).server, 'ws://fast/ws')
  assert.deepEqual(set.list.map(e => e.server), ['ws://fast/ws', 'ws://slow/ws', 'ws://down/ws'])
  assert.equal((await set.choose(true)).server, 'ws://slow/ws', 'the endpoint that just failed is avoided')
  assert.deepEqual(set.preferred(), ['http://fast/readyz'])
  assert.equal((await set.choose(false)).server, 'ws://fast/ws', 'the preferred one is chosen again')
  delays['http://fast/readyz'] = -1
  delays['http://slow/readyz'] = -1
  assert.equal((await set.choose(true)).server, 'ws://slow/ws', 'nothing answers: the next one in turn')
})
