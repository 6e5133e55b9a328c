// What the Go tests compare after a document has integrated some updates: its encoded state in every
// format Yjs offers, and its JSON.
import * as Y from 'yjs'

export const toBase64 = bytes => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')

// Copy into a fresh Uint8Array: Buffer.from may hand out a slice of a shared pool, and Yjs
// should see exactly the bytes it was given.
export const fromBase64 = text => {
  if (typeof text !== 'string') throw new Error('expected a base64 string')
  return new Uint8Array(Buffer.from(text, 'base64'))
}

// The root kinds the tests may ask for, and how each is fetched from a Y.Doc.
const rootGetters = {
  text: (doc, name) => doc.getText(name),
  array: (doc, name) => doc.getArray(name),
  map: (doc, name) => doc.getMap(name),
  xml: (doc, name) => doc.getXmlFragment(name)
}

// defineRoots fetches every named root with its type, so Yjs treats each as that type from the start
// (as an application does). Defining a root only after content arrived can behave differently
// (e.g. YText's formatting cleanup only runs on types that saw their formatting integrate).
export const defineRoots = (doc, roots) => {
  const types = {}
  for (const [name, kind] of Object.entries(roots)) {
    const get = rootGetters[kind]
    if (get === undefined) throw new Error(`root ${JSON.stringify(name)}: unknown kind ${JSON.stringify(kind)} (want text, array, map or xml)`)
    types[name] = get(doc, name)
  }
  return types
}

// JSON cannot carry binary or bigint: binary becomes base64 (as Go's encoding/json writes []byte),
// and bigint becomes a number (the sessions only use bigints within ±2^53).
const jsonReplacer = (_key, value) => {
  if (value instanceof Uint8Array) return toBase64(value)
  if (typeof value === 'bigint') return Number(value)
  return value
}

// docState describes doc; roots (name -> kind) selects what goes into the JSON. The JSON is sent
// as a string so Go receives it verbatim.
export const docState = (doc, roots) => {
  const types = defineRoots(doc, roots)
  const json = {}
  for (const [name, type] of Object.entries(types)) json[name] = type.toJSON()
  return {
    stateV1: toBase64(Y.encodeStateAsUpdate(doc)),
    stateV2: toBase64(Y.encodeStateAsUpdateV2(doc)),
    stateVector: toBase64(Y.encodeStateVector(doc)),
    snapshot: toBase64(Y.encodeSnapshot(Y.snapshot(doc))),
    json: JSON.stringify(json, jsonReplacer),
    hasPending: doc.store.pendingStructs !== null || doc.store.pendingDs !== null
  }
}
