package tree

import (
	"crypto/sha256"
	"encoding/binary"
	"hash/fnv"
)

// SegmentOf places a document id in a segment of shape s. FNV-1a spreads ids well enough for
// bucketing and is cheap; the placement must be identical on every node, so it may never change.
func SegmentOf(s Shape, doc string) uint32 {
	h := fnv.New64a()
	h.Write([]byte(doc))
	return uint32(h.Sum64() % uint64(s.Segments()))
}

// EntryHash is the 64-bit contribution of one (document, digest) pair to its segment. The id is
// length-prefixed so ("ab", d) and ("a", "b"+d) can never collide by concatenation. SHA-256 keeps
// accidental cancellations under XOR negligible; 64 bits keep the messages small.
func EntryHash(doc string, digest [32]byte) uint64 {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	h.Write(n[:binary.PutUvarint(n[:], uint64(len(doc)))])
	h.Write([]byte(doc))
	h.Write(digest[:])
	var sum [32]byte
	return binary.BigEndian.Uint64(h.Sum(sum[:0]))
}
