// Stock y-websocket clients against a real Meridian server. Every client is an unmodified `WebsocketProvider`
// from npm's y-websocket 3.1.0 (with the `ws` package as its WebSocket, which node 20 lacks): nothing here
// knows Meridian's wire details, which is the point of the test.
//
// What it does, in order:
//  1. `writers` clients join every document of the run, each with a write token: most pass it as
//     `params: { token }` (the `?token=` query), the last one as the WebSocket subprotocols
//     ['meridian.v1', 'bearer.<jwt>'] a browser would use.
//  2. They edit every document concurrently (text, map, array, XML). Meanwhile client 1 disconnects, keeps
//     editing offline and reconnects; client 2 does the same over an overlapping span.
//  3. A reader joins with a read-only token and edits its copy; the server must refuse that (auth message,
//     then close 4403, which the stock provider treats as permanent) and the edit must reach nobody.
//  4. It waits until every writer holds the same state, and prints one JSON object on stdout:
//     { docs: { <doc>: [<client state>, ...] }, reader: { closeCode, closeReason, permissionDenied } }
//     The Go test (server/interop_test.go) checks convergence, the server's GET /v1/docs/{id}, and that the
//     reader's edit is nowhere.
//
// usage: node yjs-clients.mjs <ws base url> <write token> <read token> <writers> <doc>...
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'

const [base, writeToken, readToken, writerCount, ...docNames] = process.argv.slice(2)
if (!base || !readToken || docNames.length === 0) {
  console.error('usage: node yjs-clients.mjs <ws base url> <write token> <read token> <writers> <doc>...')
  process.exit(2)
}
const readOnlyMarker = 'READ-ONLY-EDIT'
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// Fail loudly instead of hanging: the Go test also has a deadline, but this one says what was waited for.
async function until (what, condition, ms = 20000) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

// The options every provider shares. disableBc matters: in one node process, y-websocket would otherwise
// sync the clients with each other over BroadcastChannel, and the server would never be tested.
const common = { WebSocketPolyfill: WebSocket, disableBc: true, maxBackoffTime: 300 }

function connectWriter (index, docName) {
  const doc = new Y.Doc()
  const viaSubprotocol = index === Number(writerCount)
  const provider = new WebsocketProvider(base, docName, doc, viaSubprotocol
    ? { ...common, protocols: ['meridian.v1', `bearer.${writeToken}`] }
    : { ...common, params: { token: writeToken } })
  provider.awareness.setLocalState({ user: `writer-${index}` })
  return { index, docName, doc, provider }
}

// snapshot is a client's state in the shape of the server's GET /v1/docs/{id}.
function snapshot (doc) {
  return {
    text: doc.getText('text').toString(),
    map: doc.getMap('map').toJSON(),
    array: doc.getArray('array').toJSON(),
    xml: doc.getXmlFragment('xml').toString()
  }
}

function edit (client, round) {
  const d = client.doc
  const id = client.index
  d.transact(() => {
    const text = d.getText('text')
    text.insert(Math.min(round % 7, text.length), `${id}:${round} `)
    if (round % 3 === 2 && text.length > 4) text.delete(1, 2)
    const map = d.getMap('map')
    map.set(`k${round % 4}`, { by: id, round })
    if (round % 5 === 4) map.delete(`k${(round + 1) % 4}`)
    const array = d.getArray('array')
    array.push([id * 100 + round])
    if (round % 6 === 5 && array.length > 2) array.delete(0, 1)
    if (round % 4 === 0) {
      const el = new Y.XmlElement('p')
      el.setAttribute('by', String(id))
      el.insert(0, [new Y.XmlText(`r${round}`)])
      d.getXmlFragment('xml').insert(0, [el])
    }
  })
}

const writers = []
for (const docName of docNames) {
  for (let i = 1; i <= Number(writerCount); i++) writers.push(connectWriter(i, docName))
}
await until('every writer to sync', () => writers.every((c) => c.provider.synced))

// Concurrent editing, with two clients going offline and coming back while the others keep editing.
const offline = (c, from, to, round) => {
  if (round === from) c.provider.disconnect()
  if (round === to) c.provider.connect()
}
for (let round = 0; round < 24; round++) {
  for (const c of writers) {
    if (c.index === 1) offline(c, 5, 13, round)
    if (c.index === 2) offline(c, 9, 18, round)
    edit(c, round)
  }
  await sleep(10)
}

// The read-only client: it syncs, then edits, and must be refused.
const readerDoc = new Y.Doc()
const reader = new WebsocketProvider(base, docNames[0], readerDoc, { ...common, params: { token: readToken } })
const readerResult = { closeCode: 0, closeReason: '', permissionDenied: false }
reader.on('closed', ({ code, reason }) => { Object.assign(readerResult, { closeCode: code, closeReason: reason }) })
const warn = console.warn // y-websocket reports the auth message (permission denied) through console.warn
console.warn = (...args) => {
  if (String(args[0]).startsWith('Permission denied')) readerResult.permissionDenied = true
  else warn(...args)
}
await until('the read-only client to sync', () => reader.synced)
readerDoc.getText('text').insert(0, readOnlyMarker)
readerDoc.getMap('map').set('readOnly', readOnlyMarker)
await until('the read-only client to be refused', () => readerResult.closeCode !== 0)

// Convergence: within each document, every writer holds the same state.
const sameState = () => docNames.every((name) => {
  const states = writers.filter((c) => c.docName === name).map((c) => JSON.stringify(snapshot(c.doc)))
  return new Set(states).size === 1
})
await until('the writers to converge', () => writers.every((c) => c.provider.synced) && sameState())

const docs = {}
for (const name of docNames) docs[name] = writers.filter((c) => c.docName === name).map((c) => snapshot(c.doc))
console.log(JSON.stringify({ docs, reader: readerResult }))
for (const c of writers) c.provider.destroy()
reader.destroy()
process.exit(0)
