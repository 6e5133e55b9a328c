import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as encoding from 'lib0/encoding'
import { decodeServerMessage } from '../dist/index.js'
import { PendingQueue } from '../dist/queue.js'
import { backoffDelay, refreshDelay, tokenExpiry } from '../dist/token.js'

const frame = (...parts) => {
  const e = encoding.createEncoder()
  for (const p of parts) {
    if (typeof p === 'number') encoding.writeVarUint(e, p)
    else encoding.writeVarString(e, p)
  }
  return encoding.toUint8Array(e)
}

test('server messages decode, malformed ones throw', () => {
  assert.deepEqual(decodeServerMessage(frame(100, 'eu', 'n1')), { type: 'hello', region: 'eu', node: 'n1' })
  assert.deepEqual(decodeServerMessage(frame(101, 7, 2)), { type: 'ack', updates: 7, regions: 2 })
  assert.deepEqual(decodeServerMessage(frame(2, 0, 'no')), { type: 'permission-denied', reason: 'no' })
  for (const bad of [new Uint8Array([]), frame(42), frame(0, 5, 0), frame(101, 1, 1, 1), new Uint8Array([0, 1, 9])]) {
    assert.throws(() => decodeServerMessage(bad))
  }
})

test('acks drop exactly the updates they cover', () => {
  const q = new PendingQueue()
  q.add(new Uint8Array([1])) // made offline
  q.newConnection()
  q.add(new Uint8Array([2]))
  q.sentLatest() // 1
  q.sentStep2() // 2: covers the offline edit
  q.add(new Uint8Array([3]))
  q.sentLatest() // 3
  assert.equal(q.ack(1), 1)
  assert.equal(q.allAcked, false)
  assert.equal(q.ack(2), 1)
  q.newConnection() // update 3's ack was lost with the connection
  assert.equal(q.ack(9), 0)
  q.sentStep2()
  assert.equal(q.ack(1), 1)
  assert.equal(q.allAcked, true)
})

test('backoff, token expiry and refresh timing', () => {
  for (let attempt = 1; attempt < 12; attempt++) {
    const d = backoffDelay(attempt, 100, 2000)
    assert.ok(d >= 50 && d <= Math.min(2000, 100 * 2 ** (attempt - 1)), `attempt ${attempt}: ${d}`)
  }
  assert.equal(backoffDelay(30, 100, 2000, () => 1), 2000)
  const payload = Buffer.from(JSON.stringify({ exp: 1800000000 })).toString('base64url')
  assert.equal(tokenExpiry(`h.${payload}.s`), 1800000000 * 1000)
  assert.equal(tokenExpiry('opaque'), undefined)
  assert.equal(refreshDelay(0, 3600000, 30000), 3570000)
  assert.equal(refreshDelay(0, 10000, 30000), 5000)
})

test('the pending store writes the latest list, one write at a time, and reads back only updates', async () => {
  const { PendingStore, pendingKey } = await import('../dist/persistence.js')
  const writes = []
  let release
  const store = {
    whenSynced: Promise.resolve(),
    value: undefined,
    async get (key) { return key === pendingKey ? this.value : undefined },
    async set (key, value) {
      writes.push(value.length)
      await new Promise(resolve => { release = resolve })
      this.value = value
    },
    destroy () {}
  }
  const pending = new PendingStore(store)
  const u = (n) => new Uint8Array([n])
  pending.save([u(1)])
  pending.save([u(1), u(2)]) // while the first write is in flight: only the latest list is written next
  pending.save([u(1), u(2), u(3)])
  assert.deepEqual(writes, [1])
  release()
  await new Promise(resolve => setTimeout(resolve, 0))
  assert.deepEqual(writes, [1, 3])
  release()
  await new Promise(resolve => setTimeout(resolve, 0))
  assert.deepEqual(await pending.load(), [u(1), u(2), u(3)])
  store.value = ['not an update', u(4), 5]
  assert.deepEqual(await pending.load(), [u(4)])
  store.value = 'garbage'
  assert.deepEqual(await pending.load(), [])
  store.get = async () => { throw new Error('IndexedDB is gone') }
  assert.deepEqual(await pending.load(), [])
})

test('closing the pending store finishes the last write first', async () => {
  const { PendingStore } = await import('../dist/persistence.js')
  const written = []
  let release
  const store = {
    whenSynced: Promise.resolve(),
    async get () {},
    async set (key, value) { await new Promise(resolve => { release = resolve }); written.push(value.length) },
    destroy () {}
  }
  const pending = new PendingStore(store)
  pending.save([new Uint8Array([1])])
  pending.save([new Uint8Array([1]), new Uint8Array([2])])
  let closed = false
  const closing = pending.close().then(() => { closed = true })
  pending.save([]) // after close: ignored
  release()
  await new Promise(resolve => setTimeout(resolve, 0))
  assert.equal(closed, false, 'close resolved before the last list was written')
  release()
  await closing
  assert.deepEqual(written, [1, 2])
})
