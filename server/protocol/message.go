package protocol

// MessageType is the leading varUint of every frame.
type MessageType uint64

// The y-websocket message types (yjs-protocol.md §6.1) and Meridian's extensions. Extensions sit far above
// the y-websocket range and above the Hocuspocus envelope's types (≤ 10), so no stock client ever meets one.
const (
	MessageSync           MessageType = 0
	MessageAwareness      MessageType = 1
	MessageAuth           MessageType = 2
	MessageQueryAwareness MessageType = 3

	// MessageHello (extension "hello") tells the client which region and node it reached.
	MessageHello MessageType = 100
	// MessageAck (extension "ack") tells the client how many of its updates are durably stored.
	MessageAck MessageType = 101
)

// SyncType is the sub-type of a sync message.
type SyncType uint64

const (
	SyncStep1  SyncType = 0 // payload: encoded state vector
	SyncStep2  SyncType = 1 // payload: v1 update answering a step 1
	SyncUpdate SyncType = 2 // payload: v1 incremental update
)

// AuthPermissionDenied is the only auth sub-type y-protocols defines.
const AuthPermissionDenied uint64 = 0

// Message is one decoded frame. Which fields are set depends on Type.
type Message struct {
	Type MessageType
	// Sync is set for MessageSync.
	Sync SyncMessage
	// Awareness is the raw awareness update of a MessageAwareness (decode it with DecodeAwarenessUpdate).
	Awareness []byte
	// Reason is the denial reason of a MessageAuth.
	Reason string
	// Hello is set for MessageHello.
	Hello Hello
	// Ack is set for MessageAck.
	Ack Ack
}

// SyncMessage is the body of a sync message. Payload aliases the frame.
type SyncMessage struct {
	Type    SyncType
	Payload []byte
}

// DecodeMessage parses one WebSocket frame. The returned slices alias frame.
func DecodeMessage(frame []byte) (Message, error) {
	r := &reader{buf: frame}
	t, err := r.varUint()
	if err != nil {
		return Message{}, err
	}
	m := Message{Type: MessageType(t)}
	switch m.Type {
	case MessageSync:
		m.Sync, err = decodeSync(r)
	case MessageAwareness:
		m.Awareness, err = r.bytes()
	case MessageAuth:
		m.Reason, err = decodeAuth(r)
	case MessageQueryAwareness:
	case MessageHello:
		m.Hello, err = decodeHello(r)
	case MessageAck:
		m.Ack, err = decodeAck(r)
	default:
		return Message{}, malformed("unknown message type %d", t)
	}
	if err != nil {
		return Message{}, err
	}
	if err := r.end(); err != nil {
		return Message{}, err
	}
	return m, nil
}

func decodeSync(r *reader) (SyncMessage, error) {
	st, err := r.varUint()
	if err != nil {
		return SyncMessage{}, err
	}
	if st > uint64(SyncUpdate) {
		return SyncMessage{}, malformed("unknown sync type %d", st)
	}
	payload, err := r.bytes()
	if err != nil {
		return SyncMessage{}, err
	}
	return SyncMessage{Type: SyncType(st), Payload: payload}, nil
}

func decodeAuth(r *reader) (string, error) {
	at, err := r.varUint()
	if err != nil {
		return "", err
	}
	if at != AuthPermissionDenied {
		return "", malformed("unknown auth type %d", at)
	}
	return r.string()
}

func encodeSync(t SyncType, payload []byte) []byte {
	b := make([]byte, 0, len(payload)+8)
	b = appendVarUint(b, uint64(MessageSync))
	b = appendVarUint(b, uint64(t))
	return appendBytes(b, payload)
}

// EncodeSyncStep1 frames an encoded state vector as a sync step 1.
func EncodeSyncStep1(stateVector []byte) []byte { return encodeSync(SyncStep1, stateVector) }

// EncodeSyncStep2 frames a v1 update as the answer to a step 1.
func EncodeSyncStep2(update []byte) []byte { return encodeSync(SyncStep2, update) }

// EncodeSyncUpdate frames a v1 update as an incremental sync update.
func EncodeSyncUpdate(update []byte) []byte { return encodeSync(SyncUpdate, update) }

// EncodeAwarenessMessage frames an encoded awareness update.
func EncodeAwarenessMessage(update []byte) []byte {
	b := make([]byte, 0, len(update)+6)
	b = appendVarUint(b, uint64(MessageAwareness))
	return appendBytes(b, update)
}

// EncodePermissionDenied builds an auth message refusing access with a human-readable reason.
func EncodePermissionDenied(reason string) []byte {
	b := appendVarUint(nil, uint64(MessageAuth))
	b = appendVarUint(b, AuthPermissionDenied)
	return appendString(b, reason)
}

// EncodeQueryAwareness builds the one-byte query-awareness message.
func EncodeQueryAwareness() []byte { return []byte{byte(MessageQueryAwareness)} }
