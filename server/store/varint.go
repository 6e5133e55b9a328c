package store

import "github.com/meridian-sync/meridian/crdt/lib0"

// Stored records count with lib0 varUints, the engine's own codec (crdt/lib0): the bytes are
// plain LEB128, the same as encoding/binary's Uvarint for every value the store writes (all far
// below lib0's 2^53 ceiling), so records written before this change read back unchanged.

func appendUvarint(b []byte, v uint64) []byte { return lib0.AppendVarUint(b, v) }

// uvarint decodes the varUint at the start of b; n <= 0 means b does not start with one.
func uvarint(b []byte) (v uint64, n int) {
	v, n, err := lib0.ReadVarUint(b)
	if err != nil {
		return 0, -1
	}
	return v, n
}
