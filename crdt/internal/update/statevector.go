package update

import (
	"fmt"
	"slices"

	"github.com/meridian-sync/meridian/crdt/internal/lib0"
)

// StateVector maps a client to the number of its clocks known (its next clock).
type StateVector map[uint64]uint64

// Encode writes the vector with clients in descending order, as Yjs
// writeStateVector does. The format is the same next to v1 and v2 updates.
func (sv StateVector) Encode() []byte {
	clients := make([]uint64, 0, len(sv))
	for c := range sv {
		clients = append(clients, c)
	}
	slices.SortFunc(clients, compareDesc)
	enc := &lib0.Encoder{}
	enc.WriteVarUint(uint64(len(clients)))
	for _, c := range clients {
		enc.WriteVarUint(c)
		enc.WriteVarUint(sv[c])
	}
	return enc.Bytes()
}

// DecodeStateVector reads an encoded state vector. Like Yjs it accepts any
// client order (a repeated client keeps its last clock) and ignores trailing bytes.
func DecodeStateVector(b []byte) (StateVector, error) {
	dec := lib0.NewDecoder(b)
	n, err := dec.ReadVarUint()
	if err != nil {
		return nil, malformed("state vector length", err)
	}
	if n > uint64(dec.Remaining())/2 {
		return nil, fmt.Errorf("%w: state vector declares %d entries in %d bytes", ErrMalformed, n, len(b))
	}
	sv := make(StateVector, n)
	for range n {
		client, err := dec.ReadVarUint()
		if err != nil {
			return nil, malformed("state vector client", err)
		}
		clock, err := dec.ReadVarUint()
		if err != nil {
			return nil, malformed("state vector clock", err)
		}
		sv[client] = clock
	}
	return sv, nil
}
