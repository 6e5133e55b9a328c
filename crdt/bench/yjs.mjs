// The Yjs side of `make bench-crdt`: the same workloads as the Go side, measured on node in this process, printed
// as one JSON object per line: {"bench": ..., "trace": ..., "ms": median, "runs": n, ...}.
//
//   node --expose-gc crdt/bench/yjs.mjs --traces ../shared/traces --runs 5 [--only NAME] [--trace TRACE] [--memory TRACE]
//
// --memory TRACE measures only the heap of a loaded document (run it in a fresh process with --expose-gc).
import * as Y from 'yjs'
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { join } from 'node:path'

const args = process.argv.slice(2)
const arg = (name, dflt) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : dflt
}
const tracesDir = arg('--traces', '../shared/traces')
const runs = Number(arg('--runs', '5'))
const only = arg('--only', '')
const memoryTrace = arg('--memory', '')

const traceOnly = arg('--trace', '')
const ALL_TRACES = ['automerge-paper', 'seph-blog1', 'rustcode', 'sveltecomponent', 'friendsforever_flat', 'clownschool_flat']
const TRACES = traceOnly ? [traceOnly] : ALL_TRACES

const loadTrace = (name) => JSON.parse(gunzipSync(readFileSync(join(tracesDir, 'sequential', name + '.json.gz'))).toString())

// The fixture stream: varUint N, then N × varUint8Array.
const loadUpdates = (name) => {
  const buf = gunzipSync(readFileSync(join(tracesDir, 'yjs-fixtures', name + '.updates.v1.bin.gz')))
  let pos = 0
  const varUint = () => {
    let num = 0; let mult = 1
    for (;;) {
      const b = buf[pos++]
      num += (b & 0x7f) * mult
      if (b < 0x80) return num
      mult *= 128
    }
  }
  const n = varUint()
  const out = new Array(n)
  for (let i = 0; i < n; i++) {
    const len = varUint()
    out[i] = buf.subarray(pos, pos + len)
    pos += len
  }
  return out
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

// The same rule as the Go side (main.go, measure): up to three single calls, not counted, warm
// up (the JIT) and probe the op; the fastest sets how many ops each sample repeats so that it
// lasts MIN_SAMPLE_MS; an op that twice lasts that long alone is timed once per sample. The
// figure is the median time per op.
const MIN_SAMPLE_MS = 50
const elapsedMs = (t0) => Number(process.hrtime.bigint() - t0) / 1e6

// Like the Go side's runtime.GC() before each sample, collect garbage before each timing when
// node runs with --expose-gc (main.go starts it so), so that no sample pays for the previous one's.
const collect = globalThis.gc ?? (() => {})

const measure = (fn) => {
  let fastest = Infinity
  let long = 0
  let extra
  for (let i = 0; i < 3 && long < 2; i++) {
    const t0 = process.hrtime.bigint()
    extra = fn()
    const ms = elapsedMs(t0)
    fastest = Math.min(fastest, ms)
    if (ms >= MIN_SAMPLE_MS) long++
  }
  const reps = fastest >= MIN_SAMPLE_MS ? 1 : Math.floor(MIN_SAMPLE_MS / Math.max(fastest, 0.001)) + 1
  const times = []
  for (let r = 0; r < runs; r++) {
    collect()
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < reps; i++) extra = fn()
    times.push(elapsedMs(t0) / reps)
  }
  return { ms: median(times), runs, reps, ...(extra || {}) }
}

const emit = (bench, trace, result) => console.log(JSON.stringify({ bench, trace, ...result }))

// Replays a sequential trace as client 1, one transaction per txn. Splice positions count code points, which equal
// UTF-16 units in every trace (none holds a character above U+FFFF).
const replay = (trace, onUpdate) => {
  const doc = new Y.Doc()
  doc.clientID = 1
  if (onUpdate) doc.on('update', onUpdate)
  const text = doc.getText('text')
  for (const txn of trace.txns) {
    doc.transact(() => {
      for (const [pos, del, ins] of txn.patches) {
        if (del > 0) text.delete(pos, del)
        if (ins !== '') text.insert(pos, ins)
      }
    })
  }
  if (text.length !== trace.endContent.length) throw new Error('replay diverged')
  return doc
}

if (memoryTrace) {
  const state = readFileSync(join(tracesDir, 'yjs-fixtures', memoryTrace + '.state.v1.bin'))
  global.gc(); global.gc()
  const before = process.memoryUsage().heapUsed
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  doc.getText('text').toString()
  global.gc(); global.gc()
  const after = process.memoryUsage().heapUsed
  emit('memory', memoryTrace, { bytes: after - before, docKept: doc.store.clients.size })
  process.exit(0)
}

const want = (name) => !only || only === name

for (const name of TRACES) {
  const trace = loadTrace(name)
  if (want('replay')) emit('replay', name, measure(() => { replay(trace) }))
  if (want('replay-emit')) {
    emit('replay-emit', name, measure(() => {
      let bytes = 0
      replay(trace, (u) => { bytes += u.length })
      return { updateBytes: bytes }
    }))
  }
}

const updates = loadUpdates('automerge-paper')
if (want('apply')) {
  emit('apply', 'automerge-paper', measure(() => {
    const doc = new Y.Doc()
    for (const u of updates) Y.applyUpdate(doc, u)
  }))
}

for (const name of TRACES) {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, readFileSync(join(tracesDir, 'yjs-fixtures', name + '.state.v1.bin')))
  if (want('encode-v1')) emit('encode-v1', name, measure(() => ({ bytes: Y.encodeStateAsUpdate(doc).length })))
  if (want('encode-v2')) emit('encode-v2', name, measure(() => ({ bytes: Y.encodeStateAsUpdateV2(doc).length })))
  const v1 = Y.encodeStateAsUpdate(doc)
  const v2 = Y.encodeStateAsUpdateV2(doc)
  if (want('load-v1')) emit('load-v1', name, measure(() => { const d = new Y.Doc(); Y.applyUpdate(d, v1) }))
  if (want('load-v2')) emit('load-v2', name, measure(() => { const d = new Y.Doc(); Y.applyUpdateV2(d, v2) }))
}

if (want('merge')) {
  // Y.mergeUpdates is super-linear and does not finish on all 259,778 updates: measure the first 16k.
  const first = updates.slice(0, 16384)
  emit('merge-16k', 'automerge-paper', measure(() => ({ bytes: Y.mergeUpdates(first).length, updates: first.length })))
}
