// Real Yjs clients (yjs + y-protocols, the code y-websocket's provider is built on) editing one document
// concurrently through a Meridian server, with a disconnect/reconnect in the middle. Prints, as one JSON
// line, each client's final doc.toJSON() once all have converged, so the Go test can compare them with the
// server's GET /v1/docs/{id}.
//
// usage: node --experimental-websocket yjs-clients.mjs <ws base url> <doc> <token> [clients]
// (Node 20 needs the flag for its built-in WebSocket; the `ws` package is not required.)
import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

const [base, docName, token, clientCount = '3'] = process.argv.slice(2)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// A minimal provider that follows y-websocket's orchestration (yjs-protocol.md §6.6).
class Client {
  constructor (id) {
    this.id = id
    this.doc = new Y.Doc()
    this.doc.clientID = 1000 + id
    this.awareness = new awarenessProtocol.Awareness(this.doc)
    this.awareness.setLocalState({ user: `client-${id}` })
    this.synced = false
    this.doc.on('update', (update, origin) => {
      if (origin !== this) this.send(0, (e) => syncProtocol.writeUpdate(e, update))
    })
    this.awareness.on('update', ({ added, updated, removed }) => {
      const changed = added.concat(updated, removed)
      this.send(1, (e) => encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)))
    })
  }

  connect () {
    this.synced = false
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${base}/${docName}?token=${encodeURIComponent(token)}`)
      ws.binaryType = 'arraybuffer'
      this.ws = ws
      ws.onopen = () => {
        this.send(0, (e) => syncProtocol.writeSyncStep1(e, this.doc))
        this.send(1, (e) => encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID])))
      }
      ws.onerror = (err) => reject(new Error(`client ${this.id}: ${err.message || 'websocket error'}`))
      ws.onclose = (ev) => {
        if (ev.code >= 4400 && ev.code < 4500) reject(new Error(`client ${this.id} refused: ${ev.code} ${ev.reason}`))
      }
      ws.onmessage = (ev) => {
        const decoder = decoding.createDecoder(new Uint8Array(ev.data))
        const encoder = encoding.createEncoder()
        const type = decoding.readVarUint(decoder)
        if (type === 0) {
          encoding.writeVarUint(encoder, 0)
          const syncType = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this)
          if (syncType === syncProtocol.messageYjsSyncStep2 && !this.synced) {
            this.synced = true
            resolve()
          }
          if (encoding.length(encoder) > 1) ws.send(encoding.toUint8Array(encoder))
        } else if (type === 1) {
          awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this)
        }
      }
    })
  }

  send (type, write) {
    if (!this.ws || this.ws.readyState !== 1) return
    const e = encoding.createEncoder()
    encoding.writeVarUint(e, type)
    write(e)
    this.ws.send(encoding.toUint8Array(e))
  }

  disconnect () {
    this.ws.close()
    this.ws = null
  }
}

function edit (c, round) {
  const d = c.doc
  d.transact(() => {
    const text = d.getText('text')
    text.insert(Math.min(round % 7, text.length), `${c.id}:${round} `)
    if (round % 3 === 2 && text.length > 4) text.delete(1, 2)
    d.getMap('map').set(`k${round % 4}`, { by: c.id, round })
    d.getArray('array').push([c.id * 100 + round])
    if (round % 4 === 0) {
      const el = new Y.XmlElement('p')
      el.setAttribute('by', String(c.id))
      el.insert(0, [new Y.XmlText(`r${round}`)])
      d.getXmlFragment('xml').insert(0, [el])
    }
  })
}

const clients = Array.from({ length: Number(clientCount) }, (_, i) => new Client(i + 1))
await Promise.all(clients.map((c) => c.connect()))
for (let round = 0; round < 20; round++) {
  for (const c of clients) edit(c, round)
  if (round === 5) clients[0].disconnect() // keeps editing offline...
  if (round === 12) await clients[0].connect() // ...and syncs its offline edits on reconnect
  await sleep(5)
}
// Wait for convergence: every client's state equals the others'.
const state = (c) => JSON.stringify(c.doc.toJSON())
for (let i = 0; i < 400 && new Set(clients.map(state)).size > 1; i++) await sleep(25)
const result = clients.map((c) => ({
  text: c.doc.getText('text').toString(),
  map: c.doc.getMap('map').toJSON(),
  array: c.doc.getArray('array').toJSON(),
  xml: c.doc.getXmlFragment('xml').toString()
}))
console.log(JSON.stringify(result))
for (const c of clients) c.disconnect()
process.exit(0)
