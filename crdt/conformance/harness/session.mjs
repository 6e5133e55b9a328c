// A seeded random editing session: several Yjs clients edit the same roots while their updates travel
// over an unreliable network (delays, reordering, duplicates, drops resent later). At the end every
// replica has received everything, so all converge. The record lets a Go test replay, per replica,
// exactly the sequence of updates that replica integrated, and compare the outcome byte for byte.
import * as prng from 'lib0/prng'
import * as Y from 'yjs'
import { defineRoots, docState, toBase64 } from './docstate.mjs'
import { randomEdit } from './edits.mjs'

export const sessionRoots = { text: 'text', array: 'array', map: 'map', xml: 'xml' }

// Marks transactions that integrate a delivered update, so the update they re-emit is not recorded
// as a new one. Yjs's own follow-up transactions (the formatting cleanup after a remote change) carry
// another origin and are recorded as that replica's local updates, as a real client would send them.
const REMOTE = Symbol('remote')

// seedState folds a seed of up to 53 bits into the non-zero 32-bit seed lib0's PRNG expects.
const seedState = seed => {
  const lo = seed >>> 0
  const hi = Math.floor(seed / 2 ** 32) >>> 0
  return ((Math.imul(lo ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(hi ^ 0xc2b2ae35, 0x27d4eb2f)) >>> 0) || 1
}

// Client ids of every size Yjs meets: small, 32-bit (what Yjs picks itself) and up to 2^53-1.
const randomClientIDs = (gen, n) => {
  const ids = new Set()
  while (ids.size < n) {
    switch (prng.int32(gen, 0, 2)) {
      case 0: ids.add(prng.int32(gen, 0, 20)); break
      case 1: ids.add(prng.uint32(gen, 0, 2 ** 32 - 1)); break
      default: ids.add(prng.int53(gen, 2 ** 32, Number.MAX_SAFE_INTEGER))
    }
  }
  return Array.from(ids)
}

const checkOptions = ({ seed, clients, steps }) => {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${seed}`)
  if (!Number.isInteger(clients) || clients < 2 || clients > 6) throw new Error(`clients must be 2..6, got ${clients}`)
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`steps must be a positive integer, got ${steps}`)
}

export const runSession = options => {
  checkOptions(options)
  const gen = prng.create(seedState(options.seed))
  const updates = [] // every emitted update, by index
  const origins = []
  const replicas = randomClientIDs(gen, options.clients).map(clientId => {
    const doc = new Y.Doc({ gc: options.gc })
    doc.clientID = clientId
    return { clientId, doc, roots: defineRoots(doc, sessionRoots), applied: [], inbox: [], dropped: [] }
  })
  for (const replica of replicas) {
    replica.doc.on('update', (update, origin) => {
      if (origin === REMOTE) return
      const index = updates.length
      updates.push(update)
      origins.push(replica.clientId)
      replica.applied.push(index)
      for (const other of replicas) if (other !== replica) other.inbox.push(index)
    })
  }
  const network = new Network(gen, replicas, updates)
  for (let step = 0; step < options.steps; step++) {
    if (prng.int32(gen, 0, 9) < 4) localTransaction(gen, prng.oneOf(gen, replicas))
    else network.step()
  }
  network.flush()
  assertConverged(replicas, options.seed)
  return {
    roots: sessionRoots,
    updates: updates.map(toBase64),
    origins,
    replicas: replicas.map(r => ({ clientId: r.clientId, applied: r.applied, final: docState(r.doc, sessionRoots) }))
  }
}

// One local transaction of one to three edits.
const localTransaction = (gen, replica) => {
  const edits = prng.int32(gen, 0, 2) === 0 ? prng.int32(gen, 2, 3) : 1
  replica.doc.transact(() => {
    for (let i = 0; i < edits; i++) randomEdit(gen, replica.roots)
  })
}

// Network holds, per replica, the updates sent to it and not yet delivered (inbox, in no particular
// order) and those lost on the way (dropped), which a later step resends.
class Network {
  constructor (gen, replicas, updates) {
    this.gen = gen
    this.replicas = replicas
    this.updates = updates
  }

  step () {
    const gen = this.gen
    const waiting = this.replicas.filter(r => r.inbox.length > 0)
    const lost = this.replicas.filter(r => r.dropped.length > 0)
    const roll = prng.int32(gen, 0, 9)
    if (roll < 6 && waiting.length > 0) {
      // Deliver any waiting update (reordering); sometimes keep a copy to deliver again (duplication).
      this.deliver(prng.oneOf(gen, waiting), prng.int32(gen, 0, 7) === 0)
    } else if (roll < 8 && waiting.length > 0) {
      const r = prng.oneOf(gen, waiting)
      r.dropped.push(takeRandom(gen, r.inbox))
    } else if (lost.length > 0) {
      const r = prng.oneOf(gen, lost)
      r.inbox.push(takeRandom(gen, r.dropped))
    }
  }

  deliver (replica, keepCopy) {
    const pos = prng.int32(this.gen, 0, replica.inbox.length - 1)
    const index = replica.inbox[pos]
    if (!keepCopy) replica.inbox.splice(pos, 1)
    // Recorded before applying: any update Yjs emits while integrating this one comes after it.
    replica.applied.push(index)
    Y.applyUpdate(replica.doc, this.updates[index], REMOTE)
  }

  // flush resends everything lost and delivers every waiting update in random order, including the
  // updates that deliveries themselves cause, until nothing is in flight.
  flush () {
    for (;;) {
      for (const r of this.replicas) r.inbox.push(...r.dropped.splice(0))
      const waiting = this.replicas.filter(r => r.inbox.length > 0)
      if (waiting.length === 0) return
      this.deliver(prng.oneOf(this.gen, waiting), false)
    }
  }
}

const takeRandom = (gen, list) => list.splice(prng.int32(gen, 0, list.length - 1), 1)[0]

// Yjs guarantees convergence once every update arrived; a difference here is a harness bug. Map key
// order in toJSON follows the order a replica first saw each key, so the JSON is compared canonically.
const assertConverged = (replicas, seed) => {
  const describe = r => {
    const json = {}
    for (const [name, type] of Object.entries(r.roots)) json[name] = type.toJSON()
    return toBase64(Y.encodeStateVector(r.doc)) + ' ' + canonicalJSON(json)
  }
  const first = describe(replicas[0])
  for (const r of replicas.slice(1)) {
    if (describe(r) !== first) throw new Error(`session ${seed}: replicas ${replicas[0].clientId} and ${r.clientId} did not converge`)
  }
}

const canonicalJSON = value => JSON.stringify(value, (_key, v) => {
  if (v instanceof Uint8Array) return Array.from(v)
  if (typeof v === 'bigint') return v.toString()
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return Object.fromEntries(Object.keys(v).sort().map(k => [k, v[k]]))
  }
  return v
})
