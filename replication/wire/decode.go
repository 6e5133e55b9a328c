package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("meridian/replication/wire: malformed message")

// Limits bound what Decode accepts, so a hostile or broken peer cannot make us allocate without end.
type Limits struct {
	MaxData  int // bytes of Data (an update or state vector)
	MaxDocID int // bytes of a document id
	MaxList  int // entries of Hashes, Indexes or Keys
}

// DefaultLimits allow 64 MB updates, 1 KB document ids and lists of 2^20 entries (exchanges ask for
// at most a few hundred nodes or segments at a time, so this is far above any honest message).
var DefaultLimits = Limits{MaxData: 64 << 20, MaxDocID: 1024, MaxList: 1 << 20}

// Decode parses one message. Trailing bytes are an error: a frame holds exactly one message.
func Decode(b []byte, lim Limits) (Message, error) {
	d := decoder{buf: b, lim: lim}
	m := Message{Kind: Kind(d.byte())}
	switch m.Kind {
	case KindPush:
		m.Seq, m.Floor, m.Deleted = d.uvarint(), d.uvarint(), d.bool()
		m.Doc, m.Data = d.docID(), d.data()
	case KindAck:
		m.Next, m.Gap = d.uvarint(), d.bool()
	case KindRootsReq:
		m.Xid, m.Top = d.uvarint(), d.uint64()
	case KindRoots:
		m.Xid, m.Top = d.uvarint(), d.uint64()
		m.Fanout, m.Depth = d.uint32(), d.uint32()
		m.Hashes = d.hashes()
	case KindNodesReq:
		m.Xid, m.Level, m.Indexes = d.uvarint(), d.uint32(), d.indexes()
	case KindKeysReq:
		m.Xid, m.Indexes = d.uvarint(), d.indexes()
	case KindNodes:
		m.Xid, m.Level, m.Indexes = d.uvarint(), d.uint32(), d.indexes()
		m.Hashes = d.hashes()
	case KindKeys:
		m.Xid = d.uvarint()
		m.Keys = d.keys()
	case KindSyncStep1:
		m.Xid, m.Reply = d.uvarint(), d.bool()
		m.Doc, m.Data = d.docID(), d.data()
	case KindSyncStep2:
		m.Xid, m.Doc, m.Data = d.uvarint(), d.docID(), d.data()
	case KindTombstone:
		m.Xid, m.Doc = d.uvarint(), d.docID()
	default:
		if d.err == nil {
			d.fail("unknown kind %d", uint8(m.Kind))
		}
	}
	if d.err == nil && len(d.buf) != 0 {
		d.fail("%d trailing bytes after %v", len(d.buf), m.Kind)
	}
	if d.err != nil {
		return Message{}, d.err
	}
	return m, nil
}

// decoder reads fields in order and remembers the first error; later reads return zero values, so
// the per-kind code above stays a flat list of fields.
type decoder struct {
	buf []byte
	lim Limits
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
	d.buf = nil
}

func (d *decoder) byte() byte {
	if len(d.buf) < 1 {
		d.fail("truncated")
		return 0
	}
	b := d.buf[0]
	d.buf = d.buf[1:]
	return b
}

func (d *decoder) bool() bool {
	switch b := d.byte(); b {
	case 0, 1:
		return b == 1
	default:
		d.fail("bool byte %d", b)
		return false
	}
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) uint32() uint32 {
	v := d.uvarint()
	if v > 1<<32-1 {
		d.fail("value %d exceeds 32 bits", v)
		return 0
	}
	return uint32(v)
}

func (d *decoder) uint64() uint64 {
	if len(d.buf) < 8 {
		d.fail("truncated")
		return 0
	}
	return binary.BigEndian.Uint64(d.take(8))
}

// length reads a length prefix and checks it against the limit and against the bytes left, so a
// claimed length is never allocated before the bytes backing it are known to exist.
func (d *decoder) length(limit, unit int, what string) int {
	n := d.uvarint()
	if d.err != nil {
		return 0
	}
	if n > uint64(limit) {
		d.fail("%s of %d exceeds limit %d", what, n, limit)
		return 0
	}
	if n*uint64(unit) > uint64(len(d.buf)) {
		d.fail("%s of %d truncated", what, n)
		return 0
	}
	return int(n)
}

func (d *decoder) take(n int) []byte {
	b := d.buf[:n:n]
	d.buf = d.buf[n:]
	return b
}

func (d *decoder) docID() string { return string(d.take(d.length(d.lim.MaxDocID, 1, "document id"))) }

func (d *decoder) data() []byte {
	n := d.length(d.lim.MaxData, 1, "data")
	return append([]byte(nil), d.take(n)...)
}

func (d *decoder) hashes() []uint64 {
	n := d.length(d.lim.MaxList, 8, "hash list")
	out := make([]uint64, n)
	for i := range out {
		out[i] = binary.BigEndian.Uint64(d.take(8))
	}
	return out
}

func (d *decoder) indexes() []uint32 {
	n := d.length(d.lim.MaxList, 1, "index list")
	out := make([]uint32, n)
	for i := range out {
		out[i] = d.uint32()
	}
	return out
}

func (d *decoder) keys() []KeyDigest {
	n := d.length(d.lim.MaxList, 34, "key list")
	out := make([]KeyDigest, n)
	for i := range out {
		out[i].Doc = d.docID()
		out[i].Deleted = d.bool()
		if len(d.buf) < 32 {
			d.fail("truncated digest")
			return nil
		}
		copy(out[i].Digest[:], d.take(32))
	}
	return out
}
