package server

// Close codes. y-websocket 3.x stops reconnecting on 4400–4499 (permanent refusals) and reconnects with
// backoff on any other code, so transient conditions use 4500–4599.
const (
	CloseMalformed      = 4400 // a frame that does not parse, or a text frame
	CloseUnauthorized   = 4401 // missing, invalid or expired token
	CloseForbidden      = 4403 // document not in the token, or a write/presence the token does not allow
	CloseBadDocID       = 4404 // invalid document id
	CloseDeleted        = 4410 // the document was deleted
	CloseTooLarge       = 4413 // message, document, awareness or unresolved (pending) updates over a size limit
	CloseRateLimited    = 4429 // update rate or awareness limit exceeded
	CloseInternal       = 4500 // storage failure; retry later
	CloseOverloaded     = 4503 // connection limit of the node or document reached; retry later
	CloseStorageFull    = 4507 // the server's disk is full: writes refused until space is freed; retry later
	CloseSlowClient     = 4508 // the client did not keep up with its messages
	CloseGoingAway      = 1001 // server shutting down
	closeReasonMaxBytes = 123  // RFC 6455: control frame payload ≤ 125 bytes, 2 of them the code
)

// refusal names a reason for the refusals_total metric and gives the client-facing text.
type refusal struct {
	code   int
	metric string
	reason string
}
