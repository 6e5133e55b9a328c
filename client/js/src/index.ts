/**
 * `@meridian-sync/client`: the JavaScript SDK for Meridian. See {@link MeridianProvider}.
 * @packageDocumentation
 */
export { MeridianProvider, MeridianClosedError } from './provider.js'
export type {
  MeridianProviderOptions, MeridianProviderEvents, ClosedInfo, ConnectionStatus, WebSocketLike, WebSocketConstructor
} from './provider.js'
export type { TokenOption } from './token.js'
export type { FetchLike } from './failover.js'
export { decodeServerMessage } from './protocol.js'
export type { ServerMessage } from './protocol.js'
export type { LocalPersistence, LocalPersistenceConstructor } from './persistence.js'
export { pendingKey } from './persistence.js'
