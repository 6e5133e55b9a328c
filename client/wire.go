package client

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/meridian-sync/meridian/crdt/lib0"
)

// The y-websocket message types and Meridian's extensions (server/PROTOCOL.md). The client keeps its own small
// codec: the server's protocol package is off limits to it (DESIGN.md §2), and the crdt's lib0 is internal.
const (
	msgSync           = 0
	msgAwareness      = 1
	msgAuth           = 2
	msgQueryAwareness = 3
	msgHello          = 100
	msgAck            = 101

	syncStep1  = 0
	syncStep2  = 1
	syncUpdate = 2
)

// errMalformed wraps every decoding failure of a server frame.
var errMalformed = errors.New("meridian/client: malformed frame")

// frame is one decoded server message. Which fields are set depends on kind (and sync for msgSync).
type frame struct {
	kind    uint64
	sync    uint64 // msgSync: syncStep1, syncStep2 or syncUpdate
	payload []byte // msgSync: state vector or update; msgAwareness: the awareness update
	reason  string // msgAuth: why permission was denied
	region  string // msgHello
	node    string // msgHello
	acked   uint64 // msgAck: how many of this connection's updates are durable
	regions uint64 // msgAck: in how many regions
}

// decodeFrame parses a server frame. It never panics: bad input is an error wrapping errMalformed.
func decodeFrame(b []byte) (frame, error) {
	r := reader{buf: b}
	f := frame{kind: r.varUint()}
	switch f.kind {
	case msgSync:
		f.sync = r.varUint()
		f.payload = r.bytes()
		if r.err == nil && f.sync > syncUpdate {
			r.fail("unknown sync type %d", f.sync)
		}
	case msgAwareness:
		f.payload = r.bytes()
	case msgAuth:
		if r.varUint() != 0 && r.err == nil {
			r.fail("unknown auth message")
		}
		f.reason = r.string()
	case msgQueryAwareness:
	case msgHello:
		f.region = r.string()
		f.node = r.string()
	case msgAck:
		f.acked = r.varUint()
		f.regions = r.varUint()
	default:
		r.fail("unknown message type %d", f.kind)
	}
	if r.err == nil && r.pos != len(r.buf) {
		r.fail("%d trailing bytes", len(r.buf)-r.pos)
	}
	return f, r.err
}

func encodeSync(kind uint64, payload []byte) []byte {
	b := appendVarUint(make([]byte, 0, len(payload)+8), msgSync)
	b = appendVarUint(b, kind)
	return appendBytes(b, payload)
}

func encodeAwarenessMessage(update []byte) []byte {
	return appendBytes(appendVarUint(nil, msgAwareness), update)
}

// The lib0 primitives come from crdt/lib0, the engine's own encoder, so the SDK and the server frame alike.
func appendVarUint(b []byte, v uint64) []byte { return lib0.AppendVarUint(b, v) }
func appendBytes(b, p []byte) []byte          { return lib0.AppendVarBytes(b, p) }
func appendString(b []byte, s string) []byte  { return lib0.AppendVarString(b, s) }

// reader decodes lib0 primitives; the first failure sticks in err and later reads return zero values.
type reader struct {
	buf []byte
	pos int
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w at byte %d: %s", errMalformed, r.pos, fmt.Sprintf(format, args...))
	}
}

// varUint reads lib0's LEB128 integer, limited to 53 bits as JavaScript numbers are.
func (r *reader) varUint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n, err := lib0.ReadVarUint(r.buf[r.pos:])
	if err != nil {
		r.fail("%v", err)
		return 0
	}
	r.pos += n
	return v
}

func (r *reader) bytes() []byte {
	if r.err != nil {
		return nil
	}
	p, n, err := lib0.ReadVarBytes(r.buf[r.pos:])
	if err != nil {
		r.fail("%v", err)
		return nil
	}
	r.pos += n
	return p
}

func (r *reader) string() string {
	p := r.bytes()
	if r.err == nil && !utf8.Valid(p) {
		r.fail("invalid UTF-8")
	}
	return string(p)
}
