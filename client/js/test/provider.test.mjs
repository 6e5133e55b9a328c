import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as Y from 'yjs'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import { MeridianProvider, MeridianClosedError } from '../dist/index.js'
import { spawn } from 'node:child_process'
import { startServer, mintToken, waitFor, sleep, meridian, meridianBin } from './helpers.mjs'

const open = (t, server, docId, options = {}) => {
  const doc = new Y.Doc()
  const provider = new MeridianProvider(server.url, docId, doc, {
    token: mintToken('write', 3600, docId), WebSocketPolyfill: WebSocket, minBackoffTime: 20, maxBackoffTime: 200, ...options
  })
  t.after(() => { provider.destroy(); doc.destroy() })
  return { doc, provider }
}

const stock = (t, server, docId) => {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(server.url, docId, doc, {
    WebSocketPolyfill: WebSocket, params: { token: mintToken('write', 3600, docId) }, disableBc: true
  })
  t.after(() => { provider.destroy(); doc.destroy() })
  return { doc, provider }
}

const synced = (provider) => new Promise(resolve => {
  if (provider.synced) resolve()
  else provider.once('sync', resolve)
})

test('concurrent edits of Meridian, stock y-websocket and Go clients converge', async (t) => {
  const server = await startServer(t)
  const a = open(t, server, 'mix')
  const b = open(t, server, 'mix')
  const c = stock(t, server, 'mix')
  await Promise.all([a.provider.whenSynced(), b.provider.whenSynced(), synced(c.provider)])
  assert.equal(a.provider.region, 'js-region')
  assert.equal(a.provider.node, 'js-node')
  const writers = [a.doc, b.doc, c.doc]
  for (let round = 0; round < 30; round++) {
    writers.forEach((doc, w) => {
      const arr = doc.getArray('a')
      arr.insert(Math.floor(Math.random() * (arr.length + 1)), [`${w}.${round}`])
      doc.getText('text').insert(0, String(w))
    })
    if (round % 10 === 0) await sleep(5)
  }
  // The Go SDK joins in: `meridian put` replaces the text root as a minimal edit.
  // The stock client has no durable acknowledgement, so wait until all three hold all 90 characters: a
  // snapshot of one replica taken earlier may still miss the stock client's last edits.
  await Promise.all([a.provider.whenSaved(), b.provider.whenSaved()])
  await waitFor('all three clients to hold every edit', () => {
    const texts = writers.map(doc => doc.getText('text').toString())
    return texts[0].length === 90 && texts.every(text => text === texts[0])
  })
  const before = a.doc.getText('text').toString()
  const goText = before.slice(0, 10) + ' written by Go ' + before.slice(10)
  meridian(['put', '--url', server.url, 'mix', '-'], { MERIDIAN_TOKEN: mintToken('write', 60, 'mix') }, goText)
  await waitFor('everyone to converge on the Go edit', () => {
    if (a.doc.getText('text').toString() !== goText) return false
    const want = JSON.stringify(a.doc.toJSON())
    return JSON.stringify(b.doc.toJSON()) === want && JSON.stringify(c.doc.toJSON()) === want
  })
  assert.equal(a.doc.getArray('a').length, 90)
  assert.equal(a.doc.getText('text').toString(), goText)
  const goView = JSON.parse(meridian(['cat', '--url', server.url, 'mix'], { MERIDIAN_TOKEN: mintToken('read', 60, 'mix') }))
  assert.deepEqual(goView.a.slice().sort(), a.doc.getArray('a').toArray().slice().sort())
})

test('edits made offline are sent on reconnection', async (t) => {
  const server = await startServer(t)
  const { doc, provider } = open(t, server, 'offline')
  await provider.whenSynced()
  doc.getText('t').insert(0, 'online ')
  await provider.whenSaved()
  await server.stop()
  await waitFor('the provider to notice', () => !provider.wsconnected)
  for (let i = 0; i < 5; i++) doc.getText('t').insert(doc.getText('t').length, `off${i}`)
  assert.equal(provider.pendingUpdates, 5)
  assert.equal(provider.saved, false)
  await server.restart()
  await provider.whenSynced()
  await provider.whenSaved()
  assert.equal(provider.pendingUpdates, 0)
  const fresh = open(t, server, 'offline')
  await fresh.provider.whenSynced()
  assert.equal(fresh.doc.getText('t').toString(), 'online off0off1off2off3off4')
})

test('a server crash mid-session loses nothing that was acknowledged', async (t) => {
  const server = await startServer(t)
  const { doc, provider } = open(t, server, 'crash')
  await provider.whenSynced()
  let acked = -1
  for (let i = 0; i < 60; i++) {
    doc.getArray('a').push([i])
    if (i % 7 === 0) await sleep(2) // let acks arrive
    if (i === 30) {
      await server.crash()
      acked = i + 1 - provider.pendingUpdates
    }
  }
  await server.restart()
  // A fresh reader first: the server alone must hold every acknowledged edit...
  const reader = open(t, server, 'crash', { connect: false })
  provider.disconnect()
  reader.provider.connect()
  await reader.provider.whenSynced()
  const got = reader.doc.getArray('a').toArray()
  assert.ok(got.length >= acked, `server has ${got.length} edits, ${acked} were acknowledged`)
  assert.deepEqual(got.slice(0, acked), [...Array(acked).keys()])
  // ...then the writer comes back and sends the rest.
  provider.connect()
  await provider.whenSaved()
  await waitFor('every edit on the server', () => reader.doc.getArray('a').length === 60)
})

test('an expiring token is refreshed without losing edits', async (t) => {
  const server = await startServer(t)
  let fetched = 0
  const { doc, provider } = open(t, server, 'expiring', {
    token: async () => { fetched++; return mintToken('write', 2, 'expiring') }
  })
  await provider.whenSynced()
  let n = 0
  const end = Date.now() + 5000
  while (Date.now() < end) {
    doc.getArray('a').push([n++])
    await sleep(25)
  }
  await provider.whenSaved()
  assert.ok(fetched >= 3, `token function called ${fetched} times in 5 s of 2 s tokens`)
  const fresh = open(t, server, 'expiring')
  await fresh.provider.whenSynced()
  assert.equal(fresh.doc.getArray('a').length, n)
})

test('a read-only token refuses local writes visibly', async (t) => {
  const server = await startServer(t)
  const writer = open(t, server, 'ro')
  await writer.provider.whenSynced()
  writer.doc.getText('t').insert(0, 'written')
  await writer.provider.whenSaved()
  const reader = open(t, server, 'ro', { token: mintToken('read', 3600, 'ro') })
  await reader.provider.whenSynced()
  assert.equal(reader.doc.getText('t').toString(), 'written')
  const closed = new Promise(resolve => reader.provider.once('closed', resolve))
  reader.doc.getText('t').insert(0, 'sneaky ')
  const info = await closed
  assert.equal(info.code, 4403)
  assert.equal(info.readOnly, true)
  assert.match(info.reason, /read-only/)
  assert.equal(reader.provider.pendingUpdates, 1, 'the refused edit is kept, not dropped')
  await assert.rejects(reader.provider.whenSaved(), MeridianClosedError)
  await sleep(100)
  assert.equal(writer.doc.getText('t').toString(), 'written')
})

test('the token stays out of the URL, awareness flows, destroy withdraws presence', async (t) => {
  const server = await startServer(t)
  const tok = mintToken('write', 3600, 'aw')
  const a = open(t, server, 'aw', { token: tok })
  const b = open(t, server, 'aw')
  assert.ok(!a.provider.url.includes(tok) && !a.provider.url.includes('token'))
  assert.throws(() => new MeridianProvider(server.url, 'aw', new Y.Doc(), { WebSocketPolyfill: WebSocket, params: { token: tok } }))
  await Promise.all([a.provider.whenSynced(), b.provider.whenSynced()])
  a.provider.awareness.setLocalStateField('user', { name: 'Ada' })
  const id = a.doc.clientID
  await waitFor('b to see a', () => b.provider.awareness.getStates().get(id)?.user?.name === 'Ada')
  a.provider.destroy()
  await waitFor('b to see a leave', () => !b.provider.awareness.getStates().has(id))
})

test('a bad token is refused for good', async (t) => {
  const server = await startServer(t)
  const { provider } = open(t, server, 'bad', { token: mintToken('write', 3600, 'bad') + 'x' })
  const info = await new Promise(resolve => provider.once('closed', resolve))
  assert.equal(info.code, 4401)
  assert.equal(provider.shouldConnect, false)
})

test('meridian watch (Go SDK) prints changes made by a JS client', async (t) => {
  const server = await startServer(t)
  const { doc, provider } = open(t, server, 'watched')
  await provider.whenSynced()
  const watch = spawn(meridianBin(), ['watch', '--url', server.url, 'watched'],
    { env: { ...process.env, MERIDIAN_TOKEN: mintToken('read', 60, 'watched') }, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => watch.kill())
  let out = ''
  watch.stdout.on('data', d => { out += d })
  await sleep(300) // let it sync before the edits it should report
  doc.getText('text').insert(0, 'first')
  await waitFor('watch to print the first edit', () => out.includes('"value":"first"'))
  doc.getMap('m').set('k', 1)
  await waitFor('watch to print the map', () => out.includes('{"root":"m","value":{"k":1}}'))
})
