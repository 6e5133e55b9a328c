// Offline persistence (option `persistence`): node has no IndexedDB, so these tests use an in-memory store with
// y-indexeddb's shape. What survives in it stands for what survives a page reload. The Chromium suite in web/
// runs the same scenario with the real y-indexeddb.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import WebSocket from 'ws'
import { MeridianProvider, pendingKey } from '../dist/index.js'
import { startServer, mintToken, waitFor } from './helpers.mjs'

/** Databases by name, shared by every MemoryPersistence (like IndexedDB within one browser profile). */
const databases = new Map()

/** An in-memory IndexeddbPersistence: stores every document update and a key-value table, asynchronously. */
class MemoryPersistence {
  constructor (name, doc) {
    this.name = name
    this.doc = doc
    if (!databases.has(name)) databases.set(name, { updates: [], custom: new Map() })
    this.db = databases.get(name)
    this.store = (update, origin) => { if (origin !== this) this.db.updates.push(update) }
    doc.on('update', this.store)
    this.whenSynced = new Promise(resolve => setTimeout(() => {
      Y.transact(doc, () => { for (const u of this.db.updates) Y.applyUpdate(doc, u, this) }, this)
      resolve(this)
    }, 10))
  }

  async get (key) { return this.db.custom.get(key) }
  async set (key, value) { this.db.custom.set(key, value.slice()); return value }
  destroy () { this.doc.off('update', this.store) }
}

const open = (server, docId, options = {}) => {
  const doc = new Y.Doc()
  const provider = new MeridianProvider(server.url, docId, doc, {
    token: mintToken('write', 3600, docId),
    WebSocketPolyfill: WebSocket,
    minBackoffTime: 20,
    maxBackoffTime: 200,
    persistence: MemoryPersistence,
    ...options
  })
  return { doc, provider, close: () => { provider.destroy(); doc.destroy() } }
}

test('edits made offline survive a reload and reach the server when it is back', async (t) => {
  const server = await startServer(t)
  const first = open(server, 'plane', { persistenceName: 'reload-test' })
  await first.provider.whenSaved()
  first.doc.getText('text').insert(0, 'saved. ')
  await first.provider.whenSaved()

  await server.stop()
  await waitFor('the provider to notice the server is gone', () => !first.provider.wsconnected)
  first.doc.getText('text').insert(7, 'typed offline.')
  first.doc.getText('text').insert(0, '> ')
  assert.equal(first.provider.pendingUpdates, 2)
  const stored = databases.get('reload-test')
  await waitFor('the pending edits to be stored', () => stored.custom.get(pendingKey)?.length === 2)
  first.close() // the page is closed

  // Reopened while the server is still down: the text and the unsaved count are back, before any connection.
  const second = open(server, 'plane', { persistenceName: 'reload-test' })
  t.after(second.close)
  await second.provider.whenLoaded()
  assert.equal(second.doc.getText('text').toString(), '> saved. typed offline.')
  assert.equal(second.provider.pendingUpdates, 2)
  assert.equal(second.provider.saved, false)

  await server.restart()
  await second.provider.whenSaved()
  assert.equal(second.provider.pendingUpdates, 0)
  await waitFor('the stored pending list to empty', () => stored.custom.get(pendingKey)?.length === 0)
  const res = await fetch(`http://127.0.0.1:${server.port}/v1/docs/plane`, {
    headers: { authorization: `Bearer ${mintToken('read', 60, 'plane')}` }
  })
  assert.equal(res.status, 200)
  assert.equal((await res.json()).text, '> saved. typed offline.')
})

test('the provider waits for the local store before its first sync, and loads nothing twice', async (t) => {
  const server = await startServer(t)
  const writer = open(server, 'cached', { persistenceName: 'cache-test' })
  writer.doc.getText('text').insert(0, 'hello')
  await writer.provider.whenSaved()
  writer.close()

  const reader = open(server, 'cached', { persistenceName: 'cache-test', connect: false })
  t.after(reader.close)
  let loadedBeforeConnecting = null
  reader.provider.on('status', ({ status }) => {
    if (status === 'connecting' && loadedBeforeConnecting === null) {
      loadedBeforeConnecting = reader.doc.getText('text').toString() === 'hello'
    }
  })
  reader.provider.connect()
  await reader.provider.whenSaved()
  assert.equal(loadedBeforeConnecting, true)
  // The stored document loading is not a local edit: nothing was pending, and the text is not doubled.
  assert.equal(reader.provider.pendingUpdates, 0)
  assert.equal(reader.doc.getText('text').toString(), 'hello')
})

test('without a persistence option nothing is stored and the provider connects at once', async (t) => {
  const server = await startServer(t)
  const doc = new Y.Doc()
  const provider = new MeridianProvider(server.url, 'plain', doc, {
    token: mintToken('write', 3600, 'plain'), WebSocketPolyfill: WebSocket
  })
  t.after(() => { provider.destroy(); doc.destroy() })
  assert.equal(provider.persistence, null)
  await provider.whenLoaded()
  await provider.whenSynced()
})
