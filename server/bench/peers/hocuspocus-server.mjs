// @hocuspocus/server 4.7.0 as `make bench-server` measures it: the stock Server with no extensions and no
// authentication hook (every token is accepted), so documents live in memory only. Clients speak Hocuspocus's
// own framing: every message starts with the document name (varString), then the y-websocket message.
//
// usage: PORT=1235 node hocuspocus-server.mjs     (clients connect to ws://127.0.0.1:PORT/)
import { Server } from '@hocuspocus/server'

const port = Number(process.env.PORT || 1235)
const server = new Server({ port, address: '127.0.0.1', quiet: true })
await server.listen()
console.log(`ready on ${port}`)
