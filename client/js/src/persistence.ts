import * as Y from 'yjs'

/**
 * What the provider needs from a local store of the document: y-indexeddb's `IndexeddbPersistence` has exactly
 * this shape, so its class can be passed as the `persistence` option as it is. The SDK itself never imports
 * y-indexeddb (an optional peer dependency): only applications that want offline persistence install it.
 */
export interface LocalPersistence {
  /** Resolves once the stored document has been applied to the Y.Doc. */
  readonly whenSynced: Promise<unknown>
  /** A small key-value store beside the document (y-indexeddb's `custom` object store). */
  get (key: string): Promise<any>
  set (key: string, value: any): Promise<any>
  /** Stops persisting (the stored data stays). */
  destroy (): Promise<void> | void
}

/** A class like y-indexeddb's `IndexeddbPersistence`: `new (name, doc)` loads and then persists `doc`. */
export type LocalPersistenceConstructor = new (name: string, doc: Y.Doc) => LocalPersistence

/** The key, in the persistence's key-value store, of the updates the server has not yet acknowledged. */
export const pendingKey = 'meridian-pending'

/**
 * Keeps the list of unacknowledged updates in the local store, so that a page reloaded while the server is
 * unreachable still knows (and counts) what it has not saved. Writes are coalesced: at most one is in flight,
 * and the last state asked for is always the one written last.
 */
export class PendingStore {
  private writing: Promise<void> | null = null
  private next: Uint8Array[] | null = null
  private closed = false

  constructor (private readonly store: LocalPersistence) {}

  /** The updates stored by an earlier session; an empty list when there are none or they are unreadable. */
  async load (): Promise<Uint8Array[]> {
    try {
      const value = await this.store.get(pendingKey)
      if (!Array.isArray(value)) return []
      return value.filter((u): u is Uint8Array => u instanceof Uint8Array)
    } catch {
      return [] // a broken store must not keep the document from syncing: the step 2 resends what the server lacks
    }
  }

  /** Records `updates` as the current pending list (a copy is taken by the structured clone of IndexedDB). */
  save (updates: Uint8Array[]): void {
    if (this.closed) return
    this.next = updates
    if (this.writing === null) this.writing = this.flush()
  }

  /** Takes no more saves; resolves once the last list asked for is written (then the store may be closed). */
  async close (): Promise<void> {
    this.closed = true
    await this.writing
  }

  private async flush (): Promise<void> {
    while (this.next !== null) {
      const updates = this.next
      this.next = null
      try {
        await this.store.set(pendingKey, updates)
      } catch {
        // The database is closed or full; the document itself is still persisted by the store.
      }
    }
    this.writing = null
  }
}
