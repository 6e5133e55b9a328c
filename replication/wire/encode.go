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
	case KindNodes32:
		e.uvarint(m.Xid)
		e.uvarint(uint64(m.Level))
		e.indexes(m.Indexes)
		e.uvarint(uint64(len(m.Hashes)))
		for _, h := range m.Hashes {
			e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(h))
		}
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
	case KindHeartbeat:
	case KindSubtreeKeysReq:
		e.uvarint(m.Xid)
		e.uvarint(uint64(len(m.Subtrees)))
		for _, r := range m.Subtrees {
			e.uvarint(uint64(r.Level))
			e.uvarint(uint64(r.Index))
		}
	case KindKeyHashes:
		e.uvarint(m.Xid)
		e.uvarint(uint64(len(m.KeyHashes)))
		prev := ""
		for _, k := range m.KeyHashes {
			e.frontCoded(prev, k.Doc)
			e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(k.Hash))
			e.bool(k.Deleted)
			prev = k.Doc
		}
	case KindSyncReply:
		e.uvarint(m.Xid)
		e.uvarint(m.First)
		e.uvarint(uint64(len(m.Syncs)))
		for _, s := range m.Syncs {
			e.bytes(s.Update)
			e.bytes(s.StateVector)
		}
	case KindSyncBatch1, KindSyncBatch2:
		e.uvarint(m.Xid)
		e.uvarint(uint64(len(m.Syncs)))
		prev := ""
		for _, s := range m.Syncs {
			e.frontCoded(prev, s.Doc)
			if m.Kind == KindSyncBatch2 {
				e.bytes(s.Update)
			}
			e.bytes(s.StateVector)
			prev = s.Doc
		}
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

// frontCoded writes doc as the length of the prefix it shares with prev and the rest: lists are
// sent sorted, and document ids of one application share long prefixes ("notes/2024/…").
func (e *encoder) frontCoded(prev, doc string) {
	shared := 0
	for shared < len(prev) && shared < len(doc) && prev[shared] == doc[shared] {
		shared++
	}
	e.uvarint(uint64(shared))
	e.string(doc[shared:])
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
