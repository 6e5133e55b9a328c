import * as Y from 'yjs'
import { ObservableV2 } from 'lib0/observable'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as protocol from './protocol.js'
import { PendingQueue } from './queue.js'
import { TokenOption, backoffDelay, refreshDelay, tokenExpiry } from './token.js'
import { Endpoints, FetchLike, readyUrlOf } from './failover.js'
import { LocalPersistence, LocalPersistenceConstructor, PendingStore } from './persistence.js'

/** The part of the WebSocket API the provider uses: the browser's `WebSocket`, or node's `ws` package. */
export interface WebSocketLike {
  binaryType: string
  readonly readyState: number
  send (data: Uint8Array): void
  close (code?: number, reason?: string): void
  onopen: ((ev: any) => void) | null
  onmessage: ((ev: { data: any }) => void) | null
  onclose: ((ev: { code: number, reason: string }) => void) | null
  onerror: ((ev: any) => void) | null
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike

export interface MeridianProviderOptions {
  /**
   * The JWT, or a function returning one (sync or async). A function is called before every connection, shortly
   * before the current token expires (the provider then reconnects with the new one, losing nothing) and after
   * the server refused an expired token. The token travels as the `bearer.<jwt>` WebSocket subprotocol, never in
   * the URL, and is never logged. Omit it for a server in `--dev` mode.
   */
  token?: TokenOption
  /** The WebSocket implementation; default `globalThis.WebSocket`. In node 20 pass `ws`'s `WebSocket`. */
  WebSocketPolyfill?: WebSocketConstructor
  /** Share an existing awareness instance (default: a new one on `ydoc`). */
  awareness?: awarenessProtocol.Awareness
  /** Connect at once (default true); otherwise call `connect()`. */
  connect?: boolean
  /** Extra URL query parameters (never the token). */
  params?: Record<string, string>
  /** Reconnection backoff bounds in ms (defaults 100 and 10000), with random jitter. */
  minBackoffTime?: number
  maxBackoffTime?: number
  /** Fetch a new token this many ms before expiry (default 30000, or half the lifetime when shorter). */
  refreshLead?: number
  /** Reconnect when nothing arrived for this many ms (default 30000; awareness renewals arrive every 15 s). */
  messageTimeout?: number
  /**
   * With several server URLs: how often (ms) a provider connected to a less preferred endpoint checks whether a
   * preferred one is ready again (default 10000), and how long a readiness probe may take (default 2000).
   */
  failbackInterval?: number
  probeTimeout?: number
  /** The fetch used for readiness probes; default `globalThis.fetch`. */
  fetch?: FetchLike
  /**
   * Keep the document and its unacknowledged edits in the browser, so that edits made offline survive a page
   * reload and reach the server once it is reachable again. Pass y-indexeddb's class (an optional peer
   * dependency the application installs itself):
   *
   * ```ts
   * import { IndexeddbPersistence } from 'y-indexeddb'
   * new MeridianProvider(url, docId, ydoc, { persistence: IndexeddbPersistence })
   * ```
   * The provider loads the stored document (and the pending count) before it connects, and destroys the
   * persistence on `destroy()`.
   */
  persistence?: LocalPersistenceConstructor
  /**
   * The local database's name; default `meridian:<docId>`. Include the user (and the server, if a page talks to
   * several) when several people may share one browser: pending edits are sent with the token of whoever opens
   * the document next.
   */
  persistenceName?: string
  /** Connect anyway if the local persistence has not loaded within this many ms (default 5000). */
  persistenceTimeout?: number
}

/** Why the provider stopped for good: the server refused with a permanent (44xx) close code. */
export interface ClosedInfo {
  code: number
  reason: string
  /** The refusal was of a local edit under a read-only token: the edit stays pending, nothing was dropped. */
  readOnly: boolean
}

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected'

export interface MeridianProviderEvents {
  /** The connection's state, as y-websocket's `status` event. */
  status: (event: { status: ConnectionStatus }) => void
  /** true once the document matches the server's, false after a disconnect (y-websocket's `sync`). */
  sync: (synced: boolean) => void
  /** Same as `sync` (y-websocket emits both). */
  synced: (synced: boolean) => void
  /** true when the server has durably stored every local edit; false as soon as one is made. */
  saved: (saved: boolean) => void
  /** The number of local updates awaiting the server's durable acknowledgement. */
  pending: (count: number) => void
  /** The region and node the connection reached. */
  hello: (info: { region: string, node: string }) => void
  /** The server URL a connection is being opened to (see the `url` array option). */
  endpoint: (info: { server: string }) => void
  /** The server's reason for refusing access, just before it closes. */
  'permission-denied': (event: { reason: string }) => void
  'connection-close': (event: { code: number, reason: string } | null, provider: MeridianProvider) => void
  'connection-error': (event: any, provider: MeridianProvider) => void
  /** The provider stopped reconnecting: see `closedInfo`. */
  closed: (info: ClosedInfo) => void
  /** The local persistence (option `persistence`) has loaded the stored document and pending edits. */
  loaded: () => void
}

/**
 * A Yjs provider for Meridian. Like y-websocket's WebsocketProvider (same `status`, `sync` and `synced` events,
 * `awareness`, `connect()`, `disconnect()`, `destroy()`), plus: durable acknowledgements (`saved`,
 * `pendingUpdates`), the node's identity (`region`, `node`), tokens kept out of the URL and refreshed before
 * they expire, and a visible refusal (`closed` with `readOnly`) when a read-only user edits.
 *
 * ```ts
 * const provider = new MeridianProvider('wss://sync.example.com/ws', 'team/notes', ydoc, {
 *   token: async () => (await fetch('/api/meridian-token')).text(),
 * })
 * provider.on('saved', saved => { statusLine.textContent = saved ? 'Saved' : 'Saving…' })
 * ```
 */
export class MeridianProvider extends ObservableV2<MeridianProviderEvents> {
  readonly doc: Y.Doc
  readonly docId: string
  readonly awareness: awarenessProtocol.Awareness
  /** The document's URL on the current or last endpoint (no token in it). */
  url: string
  /** The server URL (one of those given) of the current or last connection. */
  endpoint: string
  ws: WebSocketLike | null = null
  wsconnected = false
  wsconnecting = false
  /** Whether the provider wants to be connected (false after `disconnect()`, `destroy()` or a refusal). */
  shouldConnect: boolean
  /** Region and node of the server reached (from its hello), '' before the first connection. */
  region = ''
  node = ''
  /** In how many regions the last acknowledged edits are stored. */
  regions = 0
  /** Set when the server refused the provider for good. */
  closedInfo: ClosedInfo | null = null
  /** Consecutive failed connection attempts. */
  unsuccessfulReconnects = 0
  /** The local store of the document (option `persistence`), or null. */
  readonly persistence: LocalPersistence | null

  private readonly pendingStore: PendingStore | null
  private localLoaded = false
  private destroyed = false

  private readonly WS: WebSocketConstructor
  private readonly ownsAwareness: boolean
  private readonly token: TokenOption | undefined
  private readonly opts: Required<Pick<MeridianProviderOptions, 'minBackoffTime' | 'maxBackoffTime' | 'refreshLead' | 'messageTimeout' | 'failbackInterval'>>
  private readonly endpoints: Endpoints
  private lastFailed = false
  private failbackTimer: ReturnType<typeof setInterval> | undefined
  private readonly queue = new PendingQueue()
  private _synced = false
  private _saved = false
  private joined = false
  private deniedReason = ''
  private connToken: string | undefined
  private refusedToken: string | undefined
  private refreshing = false
  private lastMessage = 0
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private refreshTimer: ReturnType<typeof setTimeout> | undefined
  private readonly checkTimer: ReturnType<typeof setInterval>

  /**
   * `serverUrl` is the WebSocket endpoint (`wss://host/ws`), or several (regions or nodes of one cluster): the
   * provider then prefers the one whose `/readyz` answers fastest, fails over to another on loss (with backoff),
   * and returns to a preferred one once it is ready again, losing no edit (the first sync on an endpoint sends
   * everything that server lacks).
   */
  constructor (serverUrl: string | string[], docId: string, doc: Y.Doc, options: MeridianProviderOptions = {}) {
    super()
    const WS = options.WebSocketPolyfill ?? (globalThis as any).WebSocket
    if (WS === undefined) throw new Error('meridian: no WebSocket here; pass WebSocketPolyfill (in node: the ws package)')
    if (options.params !== undefined && 'token' in options.params) {
      throw new Error('meridian: pass the token as options.token, not in params (URLs end up in logs)')
    }
    this.WS = WS
    this.doc = doc
    this.docId = docId
    this.token = options.token
    this.ownsAwareness = options.awareness === undefined
    this.awareness = options.awareness ?? new awarenessProtocol.Awareness(doc)
    this.opts = {
      minBackoffTime: options.minBackoffTime ?? 100,
      maxBackoffTime: options.maxBackoffTime ?? 10000,
      refreshLead: options.refreshLead ?? 30000,
      messageTimeout: options.messageTimeout ?? 30000,
      failbackInterval: options.failbackInterval ?? 10000
    }
    const params = new URLSearchParams(options.params)
    params.set(protocol.extensionParam, protocol.extensions)
    const servers = Array.isArray(serverUrl) ? serverUrl : [serverUrl]
    if (servers.length === 0) throw new Error('meridian: give at least one server URL')
    const list = servers.map(server => {
      const url = server.replace(/\/+$/, '') + '/' + docId + '?' + params.toString()
      return { server, url, ready: readyUrlOf(url) }
    })
    const fetchFn = options.fetch ?? (globalThis as any).fetch
    this.endpoints = new Endpoints(list, fetchFn, options.probeTimeout ?? 2000)
    this.url = list[0].url
    this.endpoint = list[0].server
    this.shouldConnect = options.connect ?? true
    doc.on('update', this.onDocUpdate)
    this.awareness.on('update', this.onAwarenessUpdate)
    this.checkTimer = setInterval(this.checkLiveness, Math.max(100, this.opts.messageTimeout / 10))
    if (options.persistence !== undefined) {
      this.persistence = new options.persistence(options.persistenceName ?? 'meridian:' + docId, doc)
      this.pendingStore = new PendingStore(this.persistence)
      void this.loadLocal(this.persistence, this.pendingStore, options.persistenceTimeout ?? 5000)
    } else {
      this.persistence = null
      this.pendingStore = null
      this.localLoaded = true
    }
    if (this.shouldConnect) this.connect()
  }

  /**
   * Loads the stored document, then the edits an earlier session had not got acknowledged: they are applied
   * (in case the page closed before the document store caught up) and queued as pending again, so `saved` stays
   * false and the count stays right until the server stores them. Only then does the provider connect, so its
   * first step 2 carries everything.
   */
  private async loadLocal (store: LocalPersistence, pending: PendingStore, timeoutMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<void>(resolve => { timer = setTimeout(resolve, timeoutMs) })
    await Promise.race([store.whenSynced, timeout])
    clearTimeout(timer)
    const restored = await pending.load()
    if (this.destroyed) return
    if (restored.length > 0) {
      Y.transact(this.doc, () => { for (const u of restored) Y.applyUpdate(this.doc, u, store) }, store)
      for (const u of restored) this.queue.add(u)
      this.emit('pending', [this.queue.length])
      this.updateSaved()
    }
    this.localLoaded = true
    this.emit('loaded', [])
    if (this.shouldConnect && this.ws === null && !this.wsconnecting) void this.open()
  }

  /** true once the document matches the server's (y-websocket's `synced`). */
  get synced (): boolean { return this._synced }
  /** true when every local edit is durably stored by the server. */
  get saved (): boolean { return this._saved }
  /** Local updates awaiting the server's durable acknowledgement. */
  get pendingUpdates (): number { return this.queue.length }

  /** Resolves once synced; rejects if the provider is refused for good first. */
  whenSynced (): Promise<void> { return this.when(() => this._synced, 'sync') }
  /** Resolves once every local edit so far is durably stored; rejects if the provider is refused first. */
  whenSaved (): Promise<void> { return this.when(() => this._saved, 'saved') }
  /** Resolves once the local persistence has loaded (at once without one). */
  whenLoaded (): Promise<void> {
    if (this.localLoaded) return Promise.resolve()
    return new Promise(resolve => {
      const done = (): void => { this.off('loaded', done); resolve() }
      this.on('loaded', done)
    })
  }

  private when (cond: () => boolean, event: 'sync' | 'saved'): Promise<void> {
    return new Promise((resolve, reject) => {
      if (cond()) return resolve()
      if (this.closedInfo !== null) return reject(closedError(this.closedInfo))
      const done = (): void => {
        if (cond()) { cleanup(); resolve() }
      }
      const closed = (info: ClosedInfo): void => { cleanup(); reject(closedError(info)) }
      const cleanup = (): void => { this.off(event, done); this.off('closed', closed) }
      this.on(event, done)
      this.on('closed', closed)
    })
  }

  /** Connects (again, after `disconnect()` or a refusal). */
  connect (): void {
    this.shouldConnect = true
    this.closedInfo = null
    // Before the local persistence has loaded, loadLocal connects once it has.
    if (this.localLoaded && this.ws === null && !this.wsconnecting) void this.open()
  }

  /**
   * Disconnects and stops reconnecting; edits are kept and sent on `connect()`. The local awareness state is kept
   * too (as y-websocket does): others see us leave because the server drops a closed connection's states.
   */
  disconnect (): void {
    this.shouldConnect = false
    clearTimeout(this.retryTimer)
    this.ws?.close(1000)
  }

  /** Disconnects and detaches from the document and awareness for good. */
  destroy (): void {
    this.disconnect()
    clearInterval(this.checkTimer)
    clearTimeout(this.refreshTimer)
    clearInterval(this.failbackTimer)
    this.doc.off('update', this.onDocUpdate)
    this.awareness.off('update', this.onAwarenessUpdate)
    if (this.ownsAwareness) this.awareness.destroy()
    if (this.persistence !== null && this.pendingStore !== null) {
      this.destroyed = true // a load still under way stops there
      // The last pending list is written before the database closes: a page leaving keeps its count right.
      const persistence = this.persistence
      void this.pendingStore.close().then(() => persistence.destroy()).catch(() => {})
    }
    super.destroy()
  }

  private async open (): Promise<void> {
    this.wsconnecting = true
    this.emit('status', [{ status: 'connecting' }])
    let token: string | undefined
    try {
      token = typeof this.token === 'function' ? await this.token() : this.token
    } catch (err) {
      this.wsconnecting = false
      this.emit('connection-error', [err, this])
      this.scheduleRetry()
      return
    }
    const endpoint = await this.endpoints.choose(this.lastFailed)
    if (!this.shouldConnect) {
      this.wsconnecting = false
      return
    }
    this.url = endpoint.url
    this.endpoint = endpoint.server
    this.emit('endpoint', [{ server: endpoint.server }])
    const protocols = token ? [protocol.subprotocol, 'bearer.' + token] : undefined
    let ws: WebSocketLike
    try {
      ws = new this.WS(this.url, protocols)
    } catch (err) {
      this.wsconnecting = false
      this.emit('connection-error', [err, this])
      this.scheduleRetry()
      return
    }
    ws.binaryType = 'arraybuffer'
    this.ws = ws
    this.connToken = token
    this.joined = false
    this.deniedReason = ''
    this.lastMessage = Date.now()
    ws.onopen = () => this.onOpen(ws, token)
    ws.onmessage = ev => this.onMessage(ws, new Uint8Array(ev.data))
    ws.onerror = ev => this.emit('connection-error', [ev, this])
    ws.onclose = ev => this.onClose(ws, ev)
  }

  private onOpen (ws: WebSocketLike, token: string | undefined): void {
    if (this.ws !== ws) return
    this.wsconnecting = false
    this.wsconnected = true
    this.queue.newConnection()
    this.emit('status', [{ status: 'connected' }])
    this.send(protocol.encodeSync(protocol.syncStep1, Y.encodeStateVector(this.doc)))
    if (this.awareness.getLocalState() !== null) {
      this.send(protocol.encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID])))
    }
    const exp = token !== undefined && typeof this.token === 'function' ? tokenExpiry(token) : undefined
    if (exp !== undefined) {
      this.refreshTimer = setTimeout(() => {
        if (this.ws !== ws) return
        this.refreshing = true
        ws.close(1000)
      }, refreshDelay(Date.now(), exp, this.opts.refreshLead))
    }
    this.watchFailback(ws)
  }

  /** While on a less preferred endpoint, probe the preferred ones; move back (losing nothing) when one is ready. */
  private watchFailback (ws: WebSocketLike): void {
    clearInterval(this.failbackTimer)
    const preferred = this.endpoints.preferred()
    if (preferred.length === 0) return
    let probing = false
    this.failbackTimer = setInterval(() => {
      if (probing) return
      probing = true
      void Promise.all(preferred.map(async u => await this.endpoints.probe(u))).then(times => {
        probing = false
        if (this.ws !== ws || !times.some(t => t >= 0)) return
        clearInterval(this.failbackTimer)
        this.refreshing = true // reconnect at once, like a token refresh
        ws.close(1000)
      })
    }, this.opts.failbackInterval)
  }

  private onMessage (ws: WebSocketLike, buf: Uint8Array): void {
    if (this.ws !== ws) return
    this.lastMessage = Date.now()
    let msg: protocol.ServerMessage
    try {
      msg = protocol.decodeServerMessage(buf)
    } catch (err) {
      this.emit('connection-error', [err, this])
      ws.close(4400, 'malformed message from the server')
      return
    }
    switch (msg.type) {
      case 'sync':
        this.joined = true
        this.onSync(msg.sync, msg.payload)
        break
      case 'awareness':
        awarenessProtocol.applyAwarenessUpdate(this.awareness, msg.update, this)
        break
      case 'query-awareness':
        this.send(protocol.encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness,
          Array.from(this.awareness.getStates().keys()))))
        break
      case 'permission-denied':
        this.deniedReason = msg.reason
        this.emit('permission-denied', [{ reason: msg.reason }])
        break
      case 'hello':
        this.joined = true
        this.region = msg.region
        this.node = msg.node
        this.emit('hello', [{ region: msg.region, node: msg.node }])
        break
      case 'ack': {
        this.regions = msg.regions
        const dropped = this.queue.ack(msg.updates)
        if (dropped > 0) {
          this.pendingStore?.save(this.queue.updates())
          this.emit('pending', [this.queue.length])
        }
        this.updateSaved()
        break
      }
    }
  }

  private onSync (kind: number, payload: Uint8Array): void {
    if (kind === protocol.syncStep1) {
      // Our step 2 carries everything the server lacks, offline edits included; its ack covers them all.
      this.send(protocol.encodeSync(protocol.syncStep2, Y.encodeStateAsUpdate(this.doc, payload)))
      this.queue.sentStep2()
      return
    }
    Y.applyUpdate(this.doc, payload, this)
    if (kind === protocol.syncStep2 && !this._synced) {
      this._synced = true
      this.emit('sync', [true])
      this.emit('synced', [true])
    }
    this.updateSaved()
  }

  private onClose (ws: WebSocketLike, ev: { code: number, reason: string }): void {
    if (this.ws !== ws) return
    clearTimeout(this.refreshTimer)
    clearInterval(this.failbackTimer)
    this.ws = null
    this.wsconnecting = false
    const wasConnected = this.wsconnected
    this.wsconnected = false
    const others = Array.from(this.awareness.getStates().keys()).filter(id => id !== this.doc.clientID)
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this)
    if (this._synced) {
      this._synced = false
      this.emit('sync', [false])
      this.emit('synced', [false])
    }
    this.updateSaved()
    this.emit('connection-close', [ev, this])
    this.emit('status', [{ status: 'disconnected' }])
    if (!this.shouldConnect) return
    const refreshed = this.refreshing
    this.refreshing = false
    this.lastFailed = !refreshed
    if (ev.code >= 4400 && ev.code < 4500 && !this.retryable(ev.code)) {
      // A 4403 after the server let us in can only be an edit refused to a read-only token.
      const info = { code: ev.code, reason: ev.reason || this.deniedReason, readOnly: ev.code === 4403 && this.joined }
      this.shouldConnect = false
      this.closedInfo = info
      this.emit('closed', [info])
      return
    }
    if (ev.code === 4401) this.refusedToken = this.connToken
    if (wasConnected && this.joined) this.unsuccessfulReconnects = 0
    this.scheduleRetry(refreshed ? 0 : undefined)
  }

  /** A token function may renew a refused token; one that hands back the very token refused cannot. */
  private retryable (code: number): boolean {
    return code === 4401 && typeof this.token === 'function' && this.connToken !== this.refusedToken
  }

  private scheduleRetry (delay?: number): void {
    if (!this.shouldConnect) return
    if (delay === undefined) {
      this.unsuccessfulReconnects++
      delay = backoffDelay(this.unsuccessfulReconnects, this.opts.minBackoffTime, this.opts.maxBackoffTime)
    }
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => {
      if (this.shouldConnect && this.ws === null && !this.wsconnecting) void this.open()
    }, delay)
  }

  private readonly checkLiveness = (): void => {
    if (this.wsconnected && Date.now() - this.lastMessage > this.opts.messageTimeout) {
      this.ws?.close() // the server went silent: reconnect
    }
  }

  private send (frame: Uint8Array): void {
    if (this.ws !== null && this.wsconnected) this.ws.send(frame)
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) return
    // The stored document loading: what the server lacks of it goes in the first step 2, and what was pending
    // is restored by loadLocal. (Loaded late, after the timeout, it is handled as a local edit below.)
    if (origin === this.persistence && !this.localLoaded) return
    this.queue.add(update)
    this.pendingStore?.save(this.queue.updates())
    if (this.wsconnected) {
      this.send(protocol.encodeSync(protocol.syncUpdate, update))
      this.queue.sentLatest()
    }
    this.emit('pending', [this.queue.length])
    this.updateSaved()
  }

  private readonly onAwarenessUpdate = (changes: { added: number[], updated: number[], removed: number[] }, origin: unknown): void => {
    if (origin === this) return
    const clients = changes.added.concat(changes.updated, changes.removed)
    this.send(protocol.encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients)))
  }

  private updateSaved (): void {
    const saved = this._synced && this.queue.allAcked
    if (saved !== this._saved) {
      this._saved = saved
      this.emit('saved', [saved])
    }
  }
}

/** The error whenSynced and whenSaved reject with after a permanent refusal. */
export class MeridianClosedError extends Error {
  constructor (readonly info: ClosedInfo) {
    super(`meridian: the server closed the connection for good (${info.code}${info.reason ? ': ' + info.reason : ''})` +
      (info.readOnly ? ' — read-only access: local edits were refused and remain pending' : ''))
    this.name = 'MeridianClosedError'
  }
}

const closedError = (info: ClosedInfo): MeridianClosedError => new MeridianClosedError(info)
