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

// ShortHash is a 32-bit stand-in for node hash h within one exchange: h mixed with salt (the
// exchange id) through the SplitMix64 finalizer, top half kept. Two different hashes agree with
// probability about 2^-32, and since the mix changes with the salt, a pair that collides in one
// exchange almost surely differs in the next: a difference hidden once is found later.
func ShortHash(h, salt uint64) uint64 {
	z := h ^ (salt * 0x9e3779b97f4a7c15)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return z >> 32
}
