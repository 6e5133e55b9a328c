// A Jepsen-style writer: stock y-websocket clients (WebsocketProvider from npm) adding unique tokens to a
// Y.Array 'tokens' in each document, at one Meridian node, while the Go test (realproc_test.go) cuts,
// kills and restarts nodes. It uses Meridian's opt-in `ack` extension (server/PROTOCOL.md: message 101,
// "the first n sync step 2 / update messages this client sent on this connection are durable") to know
// which tokens the server acknowledged; y-websocket reconnects by itself after a node dies.
//
// usage: node writer.mjs <ws base url> <token> <name> <duration ms> <interval ms> <doc>...
// prints on stdout: {"attempted": [...], "acknowledged": [...]}
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import * as decoding from 'lib0/decoding'
import WebSocket from 'ws'

const [base, token, name, durationMs, intervalMs, ...docNames] = process.argv.slice(2)
if (!base || docNames.length === 0) {
  console.error('usage: node writer.mjs <ws base url> <token> <name> <duration ms> <interval ms> <doc>...')
  process.exit(2)
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

let writes = 0 // tokens written so far, across documents

// CountingWebSocket counts what the ack extension counts: sync step 2 ([0][1]) and update ([0][2])
// messages sent on this connection, and remembers where its first step 2 (the reconnect catch-up, which
// carries every offline write) stood.
class CountingWebSocket extends WebSocket {
  constructor (...args) {
    super(...args)
    this.counted = 0
    this.step2Count = 0
    this.step2Writes = 0
  }

  send (data, ...rest) {
    const b = data instanceof Uint8Array ? data : new Uint8Array(data)
    if (b[0] === 0 && (b[1] === 1 || b[1] === 2)) {
      this.counted++
      if (b[1] === 1 && this.step2Count === 0) {
        this.step2Count = this.counted
        this.step2Writes = writes
      }
    }
    return super.send(data, ...rest)
  }
}

const attempted = []
const acknowledged = new Set()
const clients = docNames.map((doc) => {
  const ydoc = new Y.Doc()
  const provider = new WebsocketProvider(base, doc, ydoc, {
    WebSocketPolyfill: CountingWebSocket, disableBc: true, params: { token, meridian_ext: 'ack' }
  })
  const c = { doc, ydoc, provider, online: [], offline: [] }
  provider.messageHandlers[101] = (_encoder, decoder, p) => {
    const n = decoding.readVarUint(decoder)
    decoding.readVarUint(decoder) // regions
    const ws = p.ws
    c.online = c.online.filter((w) => {
      if (w.ws === ws && w.need <= n) { acknowledged.add(w.token); return false }
      return true
    })
    if (ws.step2Count > 0 && n >= ws.step2Count) {
      c.offline = c.offline.filter((w) => {
        if (w.seq <= ws.step2Writes) { acknowledged.add(w.token); return false }
        return true
      })
    }
  }
  return c
})

const end = Date.now() + Number(durationMs)
for (let i = 0; Date.now() < end; i++) {
  const c = clients[i % clients.length]
  const t = `${name}-${i}`
  const ws = c.provider.ws
  const connected = c.provider.wsconnected && ws && ws.readyState === WebSocket.OPEN
  c.ydoc.getArray('tokens').push([t]) // sent synchronously when connected
  writes++
  attempted.push(t)
  if (connected) c.online.push({ token: t, ws, need: ws.counted })
  else c.offline.push({ token: t, seq: writes })
  await sleep(Number(intervalMs))
}
// Give the last writes (and any reconnect catch-up) time to be acknowledged. Writes sent on a connection
// that has since closed can never be acknowledged (the ack would have come on that connection): they stay
// attempted, as Jepsen counts an operation whose outcome is unknown.
const waiting = (c) => c.offline.length > 0 || c.online.some((w) => w.ws === c.provider.ws)
const deadline = Date.now() + 15000
while (Date.now() < deadline && clients.some(waiting)) await sleep(50)
for (const c of clients) c.provider.destroy()
process.stdout.write(JSON.stringify({ attempted, acknowledged: [...acknowledged] }) + '\n')
process.exit(0)
