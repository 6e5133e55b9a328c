package update

import "errors"

// Sentinel errors of this package. Decode wraps them (together with the lower
// level lib0/codec error when there is one) so callers can test with errors.Is.
var (
	// ErrMalformed: the bytes are not a well-formed update, state vector or delete set.
	ErrMalformed = errors.New("meridian/update: malformed update")
	// ErrUnknownContent: an Item carries a content ref outside 1..9 (or a Skip carries flag bits).
	ErrUnknownContent = errors.New("meridian/update: unknown content ref")
	// ErrZeroLength: a struct, content or delete range covers zero clocks; Yjs never writes one
	// and a zero-length struct has no ID, so it is rejected instead of stored.
	ErrZeroLength = errors.New("meridian/update: zero length")
	// ErrClockOverflow: a struct or delete range ends beyond 2^53, the largest clock lib0 can carry.
	ErrClockOverflow = errors.New("meridian/update: clock overflow")
	// ErrTooManyStructs: a v2 update declares more structs than its size can plausibly hold
	// (v2 columns are run-length encoded, so a few bytes could otherwise ask for 2^50 structs).
	ErrTooManyStructs = errors.New("meridian/update: too many structs for the input size")
	// ErrNotJSON: a value read from a v2 update cannot be written as JSON text in v1 (a BigInt
	// or undefined in an embed or format), so the conversion fails as it does in Yjs.
	ErrNotJSON = errors.New("meridian/update: value cannot be written as v1 JSON")
)

// maxClock is the largest clock (exclusive end) a struct or range may reach: lib0
// varUints carry at most 2^53.
const maxClock = 1 << 53
