package protocol

import "encoding/json"

// AwarenessEntry is one client's entry in an awareness update. State is the JSON text the client sent;
// the text "null" means the client went offline or cleared its state.
type AwarenessEntry struct {
	ClientID uint64
	Clock    uint64
	State    string
}

// IsNull reports whether the entry removes the client's state.
func (e AwarenessEntry) IsNull() bool { return e.State == "null" }

// maxAwarenessEntries bounds the count read from the wire before any allocation: each entry takes at
// least three bytes, so a larger count than len/3 is a lie that would only make us allocate.
func maxAwarenessEntries(payloadLen int) uint64 { return uint64(payloadLen / 3) }

// DecodeAwarenessUpdate parses `varUint n, n × (varUint clientID, varUint clock, varString stateJSON)`.
// Each state must be valid JSON, because the server re-sends it to every browser in the room.
func DecodeAwarenessUpdate(payload []byte) ([]AwarenessEntry, error) {
	r := &reader{buf: payload}
	n, err := r.varUint()
	if err != nil {
		return nil, err
	}
	if n > maxAwarenessEntries(len(payload)) {
		return nil, malformed("awareness update claims %d entries in %d bytes", n, len(payload))
	}
	entries := make([]AwarenessEntry, 0, n)
	for range n {
		var e AwarenessEntry
		if e.ClientID, err = r.varUint(); err != nil {
			return nil, err
		}
		if e.Clock, err = r.varUint(); err != nil {
			return nil, err
		}
		if e.State, err = r.string(); err != nil {
			return nil, err
		}
		if !json.Valid([]byte(e.State)) {
			return nil, malformed("awareness state of client %d is not JSON", e.ClientID)
		}
		entries = append(entries, e)
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return entries, nil
}

// EncodeAwarenessUpdate is the inverse of DecodeAwarenessUpdate.
func EncodeAwarenessUpdate(entries []AwarenessEntry) []byte {
	b := appendVarUint(nil, uint64(len(entries)))
	for _, e := range entries {
		b = appendVarUint(b, e.ClientID)
		b = appendVarUint(b, e.Clock)
		b = appendString(b, e.State)
	}
	return b
}
