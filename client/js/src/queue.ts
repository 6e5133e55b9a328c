/**
 * The local updates the server has not yet acknowledged as durable. The ack extension counts the sync step 2
 * and update messages a client sends on one connection; an update sent alone is covered by its own message, a
 * step 2 covers every update made before it. An ack for n drops every update covered by one of the first n
 * messages. Coverage restarts with each connection.
 */
export class PendingQueue {
  private items: Array<{ update: Uint8Array, coveredBy: number }> = []
  /** Step 2 and update messages sent on the current connection. */
  sent = 0
  /** The number of the current connection's step 2, 0 before it is sent. */
  step2 = 0
  /** The highest ack received on the current connection. */
  acked = 0

  get length (): number { return this.items.length }

  add (update: Uint8Array): void { this.items.push({ update, coveredBy: 0 }) }

  /** The pending updates, oldest first (what a local persistence keeps across reloads). */
  updates (): Uint8Array[] { return this.items.map(it => it.update) }

  sentStep2 (): void {
    this.sent++
    this.step2 = this.sent
    for (const it of this.items) if (it.coveredBy === 0) it.coveredBy = this.sent
  }

  sentLatest (): void {
    this.sent++
    const last = this.items[this.items.length - 1]
    if (last !== undefined && last.coveredBy === 0) last.coveredBy = this.sent
  }

  /** Drops what the first n messages covered; returns how many updates were dropped. */
  ack (n: number): number {
    this.acked = Math.max(this.acked, n)
    const before = this.items.length
    this.items = this.items.filter(it => it.coveredBy === 0 || it.coveredBy > n)
    return before - this.items.length
  }

  /** Everything the server stored so far on this connection, our step 2 (with offline edits) included. */
  get allAcked (): boolean { return this.items.length === 0 && this.step2 > 0 && this.acked >= this.step2 }

  newConnection (): void {
    this.sent = 0
    this.step2 = 0
    this.acked = 0
    for (const it of this.items) it.coveredBy = 0
  }
}
