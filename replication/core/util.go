package core

import (
	"sort"

	"github.com/meridian-sync/meridian/replication/wire"
)

func wireRootsReq(x *exchange, top uint64) wire.Message {
	return wire.Message{Kind: wire.KindRootsReq, To: x.peer, Xid: x.xid, Top: top}
}

func sortedUint64Keys[V any](m map[uint64]V) []uint64 {
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}
