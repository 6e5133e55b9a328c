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
	case KindNodes32:
		m.Xid, m.Level, m.Indexes = d.uvarint(), d.uint32(), d.indexes()
		n := d.length(d.lim.MaxList, 4, "hash list")
		m.Hashes = make([]uint64, n)
		for i := range m.Hashes {
			m.Hashes[i] = uint64(binary.BigEndian.Uint32(d.take(4)))
		}
	case KindHeartbeat:
	case KindSubtreeKeysReq:
		m.Xid = d.uvarint()
		n := d.length(d.lim.MaxList, 2, "subtree list")
		m.Subtrees = make([]NodeRef, n)
		for i := range m.Subtrees {
			m.Subtrees[i] = NodeRef{Level: d.uint32(), Index: d.uint32()}
		}
	case KindKeyHashes:
		m.Xid = d.uvarint()
		m.KeyHashes = d.keyHashes()
	case KindSyncReply:
		m.Xid, m.First = d.uvarint(), d.uvarint()
		n := d.length(d.lim.MaxList, 2, "sync list")
		m.Syncs = make([]DocSync, n)
		for i := range m.Syncs {
			m.Syncs[i].Update, m.Syncs[i].StateVector = d.data(), d.data()
		}
	case KindSyncBatch1, KindSyncBatch2:
		m.Xid = d.uvarint()
		m.Syncs = d.syncs(m.Kind == KindSyncBatch2)
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

// frontCoded reads a document id written as (shared prefix length with prev, rest).
func (d *decoder) frontCoded(prev string) string {
	shared := d.uvarint()
	if d.err != nil {
		return ""
	}
	if shared > uint64(len(prev)) {
		d.fail("shared prefix %d longer than the previous id (%d bytes)", shared, len(prev))
		return ""
	}
	rest := d.take(d.length(d.lim.MaxDocID, 1, "document id"))
	if int(shared)+len(rest) > d.lim.MaxDocID {
		d.fail("document id of %d bytes exceeds limit %d", int(shared)+len(rest), d.lim.MaxDocID)
		return ""
	}
	return prev[:shared] + string(rest)
}

// keyHashes reads a compact key list; each entry takes at least 7 bytes (prefix, id length, hash,
// flag), which bounds the claimed count by the bytes present.
func (d *decoder) keyHashes() []KeyHash {
	n := d.length(d.lim.MaxList, 7, "key list")
	out := make([]KeyHash, n)
	prev := ""
	for i := range out {
		out[i].Doc = d.frontCoded(prev)
		if len(d.buf) < 4 {
			d.fail("truncated key hash")
			return nil
		}
		out[i].Hash = uint64(binary.BigEndian.Uint32(d.take(4)))
		out[i].Deleted = d.bool()
		if d.err != nil {
			return nil
		}
		prev = out[i].Doc
	}
	return out
}

// syncs reads a batched sync list; withUpdate for SyncBatch2 entries.
func (d *decoder) syncs(withUpdate bool) []DocSync {
	min := 3
	if withUpdate {
		min = 4
	}
	n := d.length(d.lim.MaxList, min, "sync list")
	out := make([]DocSync, n)
	prev := ""
	for i := range out {
		out[i].Doc = d.frontCoded(prev)
		if withUpdate {
			out[i].Update = d.data()
		}
		out[i].StateVector = d.data()
		if d.err != nil {
			return nil
		}
		prev = out[i].Doc
	}
	return out
}
