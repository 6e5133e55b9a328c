// The Yjs oracle: a long-lived process that answers questions about real Yjs for the Go tests.
//
// Protocol: one JSON request per line on stdin, one JSON answer per line on stdout, in request order.
//   request:  {"id": <number>, "op": "<name>", ...arguments}
//   answer:   {"id": <same>, "ok": true, "result": ...} or {"id": <same>, "ok": false, "error": "<message>"}
// Binary values travel as base64 strings. Every failure is an answer; the process only exits when stdin
// closes. stdout belongs to the protocol, so anything Yjs or lib0 would print goes to stderr instead.
import * as readline from 'node:readline'
import * as Y from 'yjs'
import { runSession } from './session.mjs'
import { defineRoots, docState, fromBase64, toBase64 } from './docstate.mjs'

// Keep stdout clean for answers: a stray console.log from a library would corrupt the stream.
for (const level of ['log', 'info', 'warn', 'debug']) {
  console[level] = (...args) => console.error(...args)
}

const decodeUpdates = list => {
  if (!Array.isArray(list)) throw new Error('"updates" must be an array of base64 strings')
  return list.map(fromBase64)
}

const requireBase64 = (req, field) => {
  if (typeof req[field] !== 'string') throw new Error(`"${field}" must be a base64 string`)
  return fromBase64(req[field])
}

// Each operation takes the parsed request and returns a JSON-serialisable result.
const operations = {
  ping: () => ({ yjs: 'ready' }),

  merge: req => toBase64((req.v2 ? Y.mergeUpdatesV2 : Y.mergeUpdates)(decodeUpdates(req.updates))),

  diff: req => {
    const update = requireBase64(req, 'update')
    const sv = requireBase64(req, 'sv')
    return toBase64((req.v2 ? Y.diffUpdateV2 : Y.diffUpdate)(update, sv))
  },

  stateVector: req => {
    const update = requireBase64(req, 'update')
    return toBase64((req.v2 ? Y.encodeStateVectorFromUpdateV2 : Y.encodeStateVectorFromUpdate)(update))
  },

  convert: req => {
    const update = requireBase64(req, 'update')
    return toBase64(req.toV2 ? Y.convertUpdateFormatV1ToV2(update) : Y.convertUpdateFormatV2ToV1(update))
  },

  apply: req => {
    const updates = decodeUpdates(req.updates)
    const doc = new Y.Doc({ gc: req.gc === true })
    const roots = req.roots ?? {}
    // Roots are typed before the first update, as an application would do it.
    defineRoots(doc, roots)
    const apply = req.v2 ? Y.applyUpdateV2 : Y.applyUpdate
    for (const update of updates) apply(doc, update)
    return docState(doc, roots)
  },

  session: req => runSession({
    seed: req.seed,
    clients: req.clients,
    steps: req.steps,
    gc: req.gc === true
  })
}

const handle = line => {
  let req
  try {
    req = JSON.parse(line)
  } catch (err) {
    return { id: null, ok: false, error: `request is not JSON: ${err.message}` }
  }
  const id = req?.id ?? null
  try {
    const op = operations[req?.op]
    if (op === undefined) throw new Error(`unknown op ${JSON.stringify(req?.op)}`)
    return { id, ok: true, result: op(req) }
  } catch (err) {
    // The message goes back to the caller. Tests provoke errors on purpose, so the stack only goes
    // to stderr (which the Go side logs) when asked for.
    if (process.env.MERIDIAN_ORACLE_DEBUG) console.error(`oracle: request ${id} (${req?.op}) failed:`, err?.stack ?? err)
    return { id, ok: false, error: String(err?.message ?? err) }
  }
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
lines.on('line', line => {
  if (line.trim() === '') return
  const answer = handle(line)
  let text
  try {
    text = JSON.stringify(answer)
  } catch (err) {
    // The result itself could not be serialised (e.g. a value JSON cannot carry).
    text = JSON.stringify({ id: answer.id, ok: false, error: `cannot encode answer: ${err.message}` })
  }
  process.stdout.write(text + '\n')
})
