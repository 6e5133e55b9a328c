// The wire format of the Meridian WebSocket endpoint: y-websocket's message types plus the opt-in hello and ack
// extensions (server/PROTOCOL.md).
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

export const messageSync = 0
export const messageAwareness = 1
export const messageAuth = 2
export const messageQueryAwareness = 3
/** Extension "hello": `varString region, varString node`, sent first by the server. */
export const messageHello = 100
/** Extension "ack": `varUint updates, varUint regions`, cumulative over the connection. */
export const messageAck = 101

export const syncStep1 = 0
export const syncStep2 = 1
export const syncUpdate = 2

/** The query parameter asking for the extensions; an unknown name makes the server close with 4400. */
export const extensionParam = 'meridian_ext'
export const extensions = 'ack,hello'

/** The subprotocol the server selects when the token travels as `bearer.<jwt>`. */
export const subprotocol = 'meridian.v1'

export const encodeSync = (kind: number, payload: Uint8Array): Uint8Array => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, messageSync)
  encoding.writeVarUint(e, kind)
  encoding.writeVarUint8Array(e, payload)
  return encoding.toUint8Array(e)
}

export const encodeAwareness = (update: Uint8Array): Uint8Array => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, messageAwareness)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

/** A decoded server message. */
export type ServerMessage =
  | { type: 'sync', sync: number, payload: Uint8Array }
  | { type: 'awareness', update: Uint8Array }
  | { type: 'query-awareness' }
  | { type: 'permission-denied', reason: string }
  | { type: 'hello', region: string, node: string }
  | { type: 'ack', updates: number, regions: number }

/** Parses one server frame; throws an Error naming the problem on malformed input. */
export const decodeServerMessage = (buf: Uint8Array): ServerMessage => {
  const d = decoding.createDecoder(buf)
  const type = decoding.readVarUint(d)
  let msg: ServerMessage
  switch (type) {
    case messageSync: {
      const sync = decoding.readVarUint(d)
      if (sync > syncUpdate) throw new Error(`meridian: unknown sync message ${sync}`)
      msg = { type: 'sync', sync, payload: decoding.readVarUint8Array(d) }
      break
    }
    case messageAwareness:
      msg = { type: 'awareness', update: decoding.readVarUint8Array(d) }
      break
    case messageQueryAwareness:
      msg = { type: 'query-awareness' }
      break
    case messageAuth: {
      decoding.readVarUint(d) // 0: permission denied, the only auth message y-protocols defines
      msg = { type: 'permission-denied', reason: decoding.readVarString(d) }
      break
    }
    case messageHello:
      msg = { type: 'hello', region: decoding.readVarString(d), node: decoding.readVarString(d) }
      break
    case messageAck:
      msg = { type: 'ack', updates: decoding.readVarUint(d), regions: decoding.readVarUint(d) }
      break
    default:
      throw new Error(`meridian: unknown message type ${type}`)
  }
  if (decoding.hasContent(d)) throw new Error(`meridian: trailing bytes after message type ${type}`)
  return msg
}
