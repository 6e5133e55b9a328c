/**
 * Endpoint choice for a provider given several servers (regions or nodes holding the same documents): rank
 * them by how fast their `/readyz` answers, prefer the fastest, move away from one that fails, and move back
 * when a preferred one is ready again. The Go SDK's `WithEndpoints` follows the same rules.
 */

export interface Endpoint {
  /** The server URL as given (e.g. `wss://eu.example.com/ws`). */
  server: string
  /** The document's WebSocket URL. */
  url: string
  /** The server's readiness URL. */
  ready: string
}

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<{ ok: boolean, body?: any }>

/** The readiness URL of a server URL: same host, http(s), path `/readyz`. */
export const readyUrlOf = (docUrl: string): string => {
  const u = new URL(docUrl)
  const scheme = u.protocol === 'wss:' || u.protocol === 'https:' ? 'https:' : 'http:'
  return `${scheme}//${u.host}/readyz`
}

export class Endpoints {
  /** In preference order once ranked. */
  list: Endpoint[]
  /** Index in `list` of the endpoint chosen last. */
  current = 0
  private ranked: boolean

  constructor (list: Endpoint[], private readonly fetchFn: FetchLike | undefined, private readonly timeout: number) {
    const seen = new Set<string>()
    this.list = list.filter(e => !seen.has(e.url) && seen.add(e.url) !== undefined)
    this.ranked = this.list.length === 1
  }

  /** Answer time of one readiness probe in ms, or -1 when the server is down or not ready. */
  async probe (readyUrl: string): Promise<number> {
    if (this.fetchFn === undefined) return -1
    const ctl = new AbortController()
    const timer = setTimeout(() => ctl.abort(), this.timeout)
    const start = Date.now()
    try {
      const res = await this.fetchFn(readyUrl, { signal: ctl.signal })
      await res.body?.cancel?.()
      return res.ok ? Date.now() - start : -1
    } catch {
      return -1
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * The endpoint of the next connection: the most preferred that is ready, avoiding the one that just failed
   * when another is ready; the first call ranks them by answer time. A single endpoint is never probed.
   */
  async choose (lastFailed: boolean): Promise<Endpoint> {
    if (this.list.length === 1) return this.list[0]
    let times = await Promise.all(this.list.map(e => this.probe(e.ready)))
    if (!this.ranked) {
      const order = this.list.map((_, i) => i).sort((a, b) => {
        const ta = times[a]
        const tb = times[b]
        if (ta < 0 && tb < 0) return a - b
        if (ta < 0) return 1
        if (tb < 0) return -1
        return ta - tb || a - b
      })
      this.list = order.map(i => this.list[i])
      times = order.map(i => times[i])
      this.ranked = true
    }
    const avoid = lastFailed ? this.current : -1
    let pick = times.findIndex((t, i) => t >= 0 && i !== avoid)
    if (pick < 0 && avoid >= 0 && times[avoid] >= 0) pick = avoid
    if (pick < 0) pick = lastFailed ? (this.current + 1) % this.list.length : this.current
    this.current = pick
    return this.list[pick]
  }

  /** The readiness URLs of the endpoints preferred to the current one. */
  preferred (): string[] {
    return this.list.slice(0, this.current).map(e => e.ready)
  }
}
