package wire

import "encoding/binary"

// Encode returns the wire bytes of m. From and To are not encoded.
func Encode(m Message) []byte {
	e := encoder{buf: make([]byte, 0, m.Size()+8)}
	e.byte(byte(m.Kind))
	switch m.Kind {
	case KindPush:
		e.uvarint(m.Seq)
		e.uvarint(m.Floor)
		e.bool(m.Deleted)
		e.string(m.Doc)
		e.bytes(m.Data)
	case KindAck:
		e.uvarint(m.Next)
		e.bool(m.Gap)
	case KindRootsReq:
		e.uvarint(m.Xid)
		e.uint64(m.Top)
	case KindRoots:
		e.uvarint(m.Xid)
		e.uint64(m.Top)
		e.uvarint(uint64(m.Fanout))
		e.uvarint(uint64(m.Depth))
		e.hashes(m.Hashes)
	case KindNodesReq:
		e.uvarint(m.Xid)
		e.uvarint(uint64(m.Level))
		e.indexes(m.Indexes)
	case KindKeysReq:
		e.uvarint(m.Xid)
		e.indexes(m.Indexes)
	case KindNodes:
		e.uvarint(m.Xid)
		e.uvarint(uint64(m.Level))
		e.indexes(m.Indexes)
		e.hashes(m.Hashes)
	case KindKeys:
		e.uvarint(m.Xid)
		e.uvarint(uint64(len(m.Keys)))
		for _, k := range m.Keys {
			e.string(k.Doc)
			e.bool(k.Deleted)
			e.buf = append(e.buf, k.Digest[:]...)
		}
	case KindSyncStep1:
		e.uvarint(m.Xid)
		e.bool(m.Reply)
		e.string(m.Doc)
		e.bytes(m.Data)
	case KindSyncStep2:
		e.uvarint(m.Xid)
		e.string(m.Doc)
		e.bytes(m.Data)
	case KindTombstone:
		e.uvarint(m.Xid)
		e.string(m.Doc)
	}
	return e.buf
}

type encoder struct{ buf []byte }

func (e *encoder) byte(b byte)      { e.buf = append(e.buf, b) }
func (e *encoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *encoder) string(s string)  { e.uvarint(uint64(len(s))); e.buf = append(e.buf, s...) }
func (e *encoder) bytes(b []byte)   { e.uvarint(uint64(len(b))); e.buf = append(e.buf, b...) }
func (e *encoder) bool(v bool) {
	if v {
		e.byte(1)
	} else {
		e.byte(0)
	}
}

func (e *encoder) uint64(v uint64) { e.buf = binary.BigEndian.AppendUint64(e.buf, v) }

func (e *encoder) hashes(hs []uint64) {
	e.uvarint(uint64(len(hs)))
	for _, h := range hs {
		e.buf = binary.BigEndian.AppendUint64(e.buf, h)
	}
}

func (e *encoder) indexes(ix []uint32) {
	e.uvarint(uint64(len(ix)))
	for _, i := range ix {
		e.uvarint(uint64(i))
	}
}
