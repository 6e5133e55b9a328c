// The stock y-websocket server (@y/websocket-server 0.1.1) as `make bench-server` measures it: its own
// setupWSConnection on a plain `ws` server, like the package's bin/server.js, but bound to 127.0.0.1 and
// printing "ready" once it listens so the load generator knows when to start. No persistence is configured
// (the package persists only through y-leveldb, which is not installed), so documents live in memory.
//
// usage: PORT=1234 node y-websocket-server.mjs     (clients connect to ws://127.0.0.1:PORT/<doc>)
import http from 'node:http'
import { WebSocketServer } from 'ws'
import { setupWSConnection } from '@y/websocket-server/utils'

const port = Number(process.env.PORT || 1234)
const wss = new WebSocketServer({ noServer: true })
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' })
  res.end('ok')
})
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => setupWSConnection(ws, req))
})
server.listen(port, '127.0.0.1', () => console.log(`ready on ${port}`))
